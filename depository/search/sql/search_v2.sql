-- The depository's search index, version 2 (issue 20): the search document covers the work's own
-- abstract and where it was published. Only the function that changed is here; everything else
-- (the facet index, the change queue and its triggers, matching) stays as search_v1.sql installs it.
--
-- A new file rather than an edit of search_v1.sql: migration 0010 (and the squashed 0001) run that
-- whole file on a fresh database, before migration 0027 adds the columns read here, and PostgreSQL
-- checks an SQL function's body when it is created. Installed by migration 0028
-- (0028_search_covers_abstracts), which also rewrites every entry's document.
--
-- Weights: the abstract is B, beside the summary, because it is the same kind of text: the author's
-- own account of what the whole work is about. The journal, book or website it was published in and
-- its series are C, beside the body: their words say where a work appeared, not what it is about (a
-- search for `health` should not rank every article of the Journal of Urban Health with the works
-- summarised as about health), but a practitioner who types a journal's or a series' name finds its
-- works. Keywords are the tags, already B (v.names), and are found by a word of any of them.

-- The one definition of an entry's search document (weights as ts_rank reads them):
--   A  the title in every language given (at most 20,000 bytes);
--   B  the summary in every language, the work's own abstract, the annotation, and the names in every
--      language of its themes (and their parent themes), city types, violence types, cities,
--      countries and tags = keywords (not the organizers' internal tags), at most 200,000 bytes (the
--      abstract last: a long one is what gets cut, never the names);
--   C  where it was published (the journal, book or website: container_title) and its series
--      (collection_title), the body and the practice and failure cards' fields, at most 300,000 bytes;
--   D  each PUBLIC file's extracted text: 300,000 bytes shared by the entry's public files, each file
--      its equal share and at most 100,000 bytes (a long file never pushes the others out, an eighth
--      file never pushes the document past the limit; a non-public file's words never reach a
--      public search).
-- 820,000 bytes in all, under tsvector's 1 MB whatever the files (issue 22, finding 4). Each entry in
-- its own language's configuration. `title_vector` (the titles alone) gives the ranking's candidates.
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
                 pa.name, pa.name_es, pa.name_fr, pa.name_ar), ' ')
           FROM depository_entry_themes et JOIN depository_theme th ON th.id = et.theme_id
           LEFT JOIN depository_theme pa ON pa.id = th.parent_id WHERE et.entry_id = e.id),
        (SELECT string_agg(concat_ws(' ', ct.name, ct.name_es, ct.name_fr, ct.name_ar), ' ')
           FROM depository_entry_city_types ec JOIN depository_citytype ct ON ct.id = ec.citytype_id
           WHERE ec.entry_id = e.id),
        (SELECT string_agg(concat_ws(' ', vt.name, vt.name_es, vt.name_fr, vt.name_ar), ' ')
           FROM depository_entry_violence_types ev JOIN depository_violencetype vt ON vt.id = ev.violencetype_id
           WHERE ev.entry_id = e.id),
        (SELECT string_agg(concat_ws(' ', ci.name, ci.country), ' ')
           FROM depository_entry_cities ec JOIN depository_city ci ON ci.id = ec.city_id WHERE ec.entry_id = e.id),
        (SELECT string_agg(tg.name, ' ') FROM taggit_taggeditem ti JOIN taggit_tag tg ON tg.id = ti.tag_id
           JOIN django_content_type ct ON ct.id = ti.content_type_id
           WHERE ct.app_label = 'depository' AND ct.model = 'entry' AND ti.object_id = e.id
             AND NOT EXISTS (SELECT 1 FROM depository_internaltag i WHERE i.tag_id = tg.id))
    ) AS names) v
$$;
