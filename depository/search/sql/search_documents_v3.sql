-- The depository's search index: the search document in a fixed word order (issue 23). Only the
-- function that changed is here; search_v2.sql keeps the version migration 0028 installs.
--
-- Why: the names of an entry's themes, city types, violence types, cities and tags were joined by
-- string_agg without ORDER BY, in whatever order the plan read them; the same entry then gave a
-- document with the words at other positions (at 20,000 entries, 2,424 of 5,000 documents rebuilt
-- from unchanged entries differed from the stored ones). "A document whose content did not change
-- is not rewritten" (depository_search_write_documents) then rewrote half of them at every rebuild,
-- leaving as many dead rows, and the term rows compared them word by word for nothing. Each list is
-- now ordered by the term's id. Installed by migration 0031; documents take the order at their next
-- write (a rebuild writes every one that differs).

CREATE OR REPLACE FUNCTION depository_search_documents(ids bigint[])
RETURNS TABLE (entry_id bigint, language varchar, title_vector tsvector, document tsvector)
LANGUAGE sql STABLE AS $$
    SELECT e.id, e.language, x.title_vector,
        setweight(x.title_vector, 'A')
        || setweight(to_tsvector(cfg.c, depository_search_bounded(depository_search_text(left(concat_ws(' ',
               e.summary, e.summary_es, e.summary_fr, e.summary_ar, e.annotation, v.names, e.abstract), 200000)),
               200000)), 'B')
        || setweight(to_tsvector(cfg.c, depository_search_bounded(depository_search_text(left(concat_ws(' ',
               e.container_title, e.collection_title, e.body, e.what_it_is, e.who_implements, e.costs_and_needs, e.outcomes, e.what_was_tried, e.what_went_wrong,
               e.what_was_learned), 300000)), 300000)), 'C')
        || setweight(to_tsvector(cfg.c, coalesce((
               SELECT string_agg(depository_search_bounded(depository_search_text(left(f.extracted_text, f.share)),
                   f.share), ' ' ORDER BY f.id)
               FROM (SELECT a.id, a.extracted_text, (least(100000, 300000 / count(*) OVER ()) - 1)::integer AS share
                     FROM depository_attachment a WHERE a.entry_id = e.id AND a.is_public) f), '')), 'D')
    FROM (SELECT DISTINCT unnest(ids)) AS k(id) JOIN depository_entry e ON e.id = k.id
    CROSS JOIN LATERAL (SELECT depository_search_config(e.language) AS c) cfg
    CROSS JOIN LATERAL (SELECT to_tsvector(cfg.c, depository_search_bounded(depository_search_text(
        concat_ws(' ', e.title, e.title_es, e.title_fr, e.title_ar)), 20000)) AS title_vector) x
    CROSS JOIN LATERAL (SELECT concat_ws(' ',
        (SELECT string_agg(concat_ws(' ', th.name, th.name_es, th.name_fr, th.name_ar,
                 pa.name, pa.name_es, pa.name_fr, pa.name_ar), ' ' ORDER BY th.id)
           FROM depository_entry_themes et JOIN depository_theme th ON th.id = et.theme_id
           LEFT JOIN depository_theme pa ON pa.id = th.parent_id WHERE et.entry_id = e.id),
        (SELECT string_agg(concat_ws(' ', ct.name, ct.name_es, ct.name_fr, ct.name_ar), ' ' ORDER BY ct.id)
           FROM depository_entry_city_types ec JOIN depository_citytype ct ON ct.id = ec.citytype_id
           WHERE ec.entry_id = e.id),
        (SELECT string_agg(concat_ws(' ', vt.name, vt.name_es, vt.name_fr, vt.name_ar), ' ' ORDER BY vt.id)
           FROM depository_entry_violence_types ev JOIN depository_violencetype vt ON vt.id = ev.violencetype_id
           WHERE ev.entry_id = e.id),
        (SELECT string_agg(concat_ws(' ', ci.name, ci.country), ' ' ORDER BY ci.id)
           FROM depository_entry_cities ec JOIN depository_city ci ON ci.id = ec.city_id WHERE ec.entry_id = e.id),
        (SELECT string_agg(tg.name, ' ' ORDER BY tg.id) FROM taggit_taggeditem ti JOIN taggit_tag tg ON tg.id = ti.tag_id
           JOIN django_content_type ct ON ct.id = ti.content_type_id
           WHERE ct.app_label = 'depository' AND ct.model = 'entry' AND ti.object_id = e.id
             AND NOT EXISTS (SELECT 1 FROM depository_internaltag i WHERE i.tag_id = tg.id))
    ) AS names) v
$$;
