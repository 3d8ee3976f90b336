-- The depository's search index, version 1 (issue 12): every SQL function, the change queue and its
-- triggers, in one place. Installed by migration 0010 (which reads this file by name: a later change
-- is a new file, search_v2.sql, and a new migration, so an old migration never runs new code).
--
-- Data flow: any statement that changes an entry, its relations, its files or a term it uses marks
-- the entries concerned in depository_searchqueue (statement triggers, a few small rows). At commit,
-- a deferred trigger runs depository_search_flush() once: the queued entries' search documents and
-- facet rows are rewritten by one set-based statement each, whatever the number of entries.
-- docs/search.md has the picture and the measured reasons.

-- == Bit strings: an entry set as one bit per entry id (bit id - 1) ==================================
-- An id array as a bit string of `size` bits, built as hexadecimal text 32 bits at a time.
CREATE OR REPLACE FUNCTION depository_bits(ids integer[], size integer) RETURNS bit varying
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ('x' || coalesce(string_agg(lpad(to_hex(coalesce(c.v, 0)), 8, '0'), '' ORDER BY g.i), ''))::bit varying
    FROM generate_series(0, size / 32 - 1) g(i)
    LEFT JOIN (
        SELECT (id - 1) >> 5 AS i, bit_or(2147483648::bigint >> ((id - 1) & 31)) AS v
        FROM unnest(ids) id WHERE id >= 1 AND id <= size GROUP BY 1
    ) c ON c.i = g.i
$$;

-- The ids whose bits are set (the position of a 1 in the text is the id).
CREATE OR REPLACE FUNCTION depository_ids(bits bit varying) RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_positions(string_to_array(bits::text, NULL), '1')
$$;

CREATE OR REPLACE FUNCTION depository_has(bits bit varying, id integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN id >= 1 AND id <= length(bits) THEN get_bit(bits, id - 1) = 1 ELSE false END
$$;

-- `bits` with the bits of `ids` set to `to_value` (0 or 1): one set_bit per id for a few ids, one mask
-- for many (building a mask writes every 32-bit word of the string: ~1.5 ms at 100,000 entries, while
-- each set_bit copies the string once, ~5 us; the two cross near 256 ids).
CREATE OR REPLACE FUNCTION depository_with_bits(bits bit varying, ids integer[], to_value integer) RETURNS bit varying
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    id integer;
BEGIN
    IF cardinality(ids) > 256 THEN
        RETURN CASE WHEN to_value = 1 THEN bits | depository_bits(ids, length(bits))
                    ELSE bits & ~depository_bits(ids, length(bits)) END;
    END IF;
    FOREACH id IN ARRAY coalesce(ids, '{}') LOOP
        IF id >= 1 AND id <= length(bits) THEN
            bits := set_bit(bits, id - 1, to_value);
        END IF;
    END LOOP;
    RETURN bits;
END $$;

-- The common length of the facet rows' bit strings (bit strings of different lengths cannot be
-- ANDed), made to cover `largest_id`: every row is padded once per 8,192 entries created.
CREATE OR REPLACE FUNCTION depository_bit_length(largest_id integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    current integer := coalesce(
        (SELECT length(entry_bits) FROM depository_facetposting WHERE facet = '' AND value = ''), 0);
    wanted integer := greatest(current, (coalesce(largest_id, 0) / 8192 + 1) * 8192);
BEGIN
    IF wanted > current THEN
        UPDATE depository_facetposting SET entry_bits = entry_bits || repeat('0', wanted - length(entry_bits))::bit varying
        WHERE length(entry_bits) < wanted;
    END IF;
    RETURN wanted;
END $$;

-- == The search document ==========================================================================
-- Text as it is indexed: a hyphenated compound is indexed split (`city-to-city` as `city to city`)
-- and joined (`citytocity`), so a query written either way finds it (the query side is
-- depository.search.text.normalize_query).
CREATE OR REPLACE FUNCTION depository_search_text(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(coalesce(t, ''), '-', ' ') || coalesce(' ' || (
        SELECT string_agg(replace(m[1], '-', ''), ' ') FROM regexp_matches(t, '(\w+(?:-\w+)+)', 'g') m), '')
$$;

-- The text search configuration of an entry's language (migration 0003 made them, with unaccent).
CREATE OR REPLACE FUNCTION depository_search_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE language WHEN 'en' THEN 'twg_english'::regconfig WHEN 'es' THEN 'twg_spanish'::regconfig
        WHEN 'fr' THEN 'twg_french'::regconfig WHEN 'ar' THEN 'twg_arabic'::regconfig
        ELSE 'twg_simple'::regconfig END
$$;

-- At most `max_bytes` bytes of `t` (UTF-8), cut at a character: PostgreSQL refuses a tsvector whose
-- lexemes take more than 1 MB ("string is too long for tsvector"), and a lexeme is never longer than
-- the text it came from, so bounding the bytes given to to_tsvector bounds the document. Characters
-- are 1-4 bytes: a cut by characters alone lets 300,000 CJK characters (900,000 bytes) through.
CREATE OR REPLACE FUNCTION depository_search_bounded(t text, max_bytes integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    n integer := max_bytes;
BEGIN
    IF octet_length(t) <= max_bytes THEN
        RETURN t;
    END IF;
    -- Each step keeps fewer characters (in proportion to the excess); a few steps at most.
    WHILE octet_length(left(t, n)) > max_bytes LOOP
        n := least(n - 1, (n::bigint * max_bytes / octet_length(left(t, n)))::integer);
    END LOOP;
    RETURN left(t, n);
END $$;

-- The search document as migrations 0010 and 0024 install it. Superseded from migration 0028 by
-- search_v2.sql (the abstract, the container and the series), which is now its one definition.
-- Weights as ts_rank reads them:
--   A  the title in every language given (at most 20,000 bytes);
--   B  the summary in every language, the annotation, and the names in every language of its
--      themes (and their parent themes), city types, violence types, cities, countries and tags
--      (not the organizers' internal tags), at most 200,000 bytes;
--   C  the body and the practice and failure cards' fields, at most 300,000 bytes;
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
               e.summary, e.summary_es, e.summary_fr, e.summary_ar, e.annotation, v.names), 200000)), 200000)), 'B')
        || setweight(to_tsvector(cfg.c, depository_search_bounded(depository_search_text(left(concat_ws(' ', e.body,
               e.what_it_is, e.who_implements, e.costs_and_needs, e.outcomes, e.what_was_tried, e.what_went_wrong,
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

-- == The facet index ==============================================================================
-- (facet, value, entry id) of the given entries, whatever their status: the row ('status',
-- 'published') is what a public search starts from, the row ('', '') what a curator's does.
-- A parent theme's row holds its sub-themes' entries too.
CREATE OR REPLACE FUNCTION depository_facet_values(ids bigint[])
RETURNS TABLE (facet text, value text, entry_id integer) LANGUAGE sql STABLE AS $$
    -- Joined to the ids, never `= ANY(ids)`: PostgreSQL hashes an ANY only over a constant array, and
    -- a rebuild passes 100,000 ids (a linear search per row would take hours).
    WITH k AS MATERIALIZED (SELECT DISTINCT unnest(ids) AS id),
    e AS MATERIALIZED (SELECT e.* FROM k JOIN depository_entry e ON e.id = k.id)
    SELECT '', '', e.id::integer FROM e
    UNION ALL SELECT 'status', e.status, e.id::integer FROM e
    UNION ALL SELECT 'kind', e.kind, e.id::integer FROM e
    UNION ALL SELECT 'language', e.language, e.id::integer FROM e
    UNION ALL SELECT 'evidence', e.evidence_level, e.id::integer FROM e WHERE e.evidence_level <> ''
    UNION ALL SELECT 'year', e.year::text, e.id::integer FROM e WHERE e.year IS NOT NULL
    UNION ALL SELECT 'theme', t.theme_id::text, t.entry_id::integer FROM k JOIN depository_entry_themes t ON t.entry_id = k.id
    UNION ALL SELECT 'theme', th.parent_id::text, t.entry_id::integer FROM k JOIN depository_entry_themes t ON t.entry_id = k.id
              JOIN depository_theme th ON th.id = t.theme_id WHERE th.parent_id IS NOT NULL
    UNION ALL SELECT 'city_type', t.citytype_id::text, t.entry_id::integer
              FROM k JOIN depository_entry_city_types t ON t.entry_id = k.id
    UNION ALL SELECT 'violence_type', t.violencetype_id::text, t.entry_id::integer
              FROM k JOIN depository_entry_violence_types t ON t.entry_id = k.id
    UNION ALL SELECT 'city', t.city_id::text, t.entry_id::integer FROM k JOIN depository_entry_cities t ON t.entry_id = k.id
    UNION ALL SELECT 'country', c.country, t.entry_id::integer FROM k JOIN depository_entry_cities t ON t.entry_id = k.id
              JOIN depository_city c ON c.id = t.city_id WHERE c.country <> ''
    UNION ALL SELECT 'tag', ti.tag_id::text, ti.object_id::integer FROM k JOIN taggit_taggeditem ti ON ti.object_id = k.id
              JOIN django_content_type ct ON ct.id = ti.content_type_id
              WHERE ct.app_label = 'depository' AND ct.model = 'entry'
$$;

-- Rewrite the search documents and facet rows of these entries (deleted ones leave both): two
-- statements for the facet rows and one for the documents, whatever the number of entries. A
-- document or row whose content did not change is not rewritten (no dead row for nothing).
CREATE OR REPLACE FUNCTION depository_search_write_documents(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM depository_entrysearchdocument d USING unnest(ids) k(id)
    WHERE d.entry_id = k.id AND NOT EXISTS (SELECT 1 FROM depository_entry e WHERE e.id = d.entry_id);
    INSERT INTO depository_entrysearchdocument AS d (entry_id, language, title_vector, document)
    SELECT * FROM depository_search_documents(ids)
    ON CONFLICT (entry_id) DO UPDATE
    SET language = EXCLUDED.language, title_vector = EXCLUDED.title_vector, document = EXCLUDED.document
    WHERE (d.language, d.title_vector, d.document) IS DISTINCT FROM
          (EXCLUDED.language, EXCLUDED.title_vector, EXCLUDED.document);
$$;

-- Bring the facet rows up to date with these entries (deleted ones leave every row), in one
-- statement whatever their number:
--   now:     each entry's facet values as they are (depository_facet_values), with their row's id;
--   created: values no row holds yet get a row, with their entries;
--   was:     each entry's rows as recorded in depository_entrypostings;
--   changes: per existing row, the entries it gains (now, not was) and loses (was, not now);
-- then each changed row gets its entries by difference, and the record follows. A row neither gains
-- nor loses anyone is not written (no dead row for nothing). The difference is applied to the row as
-- it is when locked, so two transactions changing different entries of one row both count.
CREATE OR REPLACE FUNCTION depository_search_write_facets(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    int_ids integer[] := ARRAY(SELECT DISTINCT i::integer FROM unnest(ids) i WHERE i IS NOT NULL ORDER BY 1);
    bit_size integer;
BEGIN
    IF cardinality(int_ids) = 0 THEN
        RETURN;
    END IF;
    bit_size := depository_bit_length(int_ids[cardinality(int_ids)]);
    WITH now AS MATERIALIZED (
        -- DISTINCT: an entry with a sub-theme and its parent has the parent's value twice.
        SELECT DISTINCT f.facet, f.value, f.entry_id, p.id::integer AS posting_id
        FROM depository_facet_values(ids) f
        LEFT JOIN depository_facetposting p ON p.facet = f.facet AND p.value = f.value
    ), created AS (
        INSERT INTO depository_facetposting AS p (facet, value, entry_ids, entry_bits, size)
        SELECT n.facet, n.value, n.ids, depository_bits(n.ids, bit_size), icount(n.ids)
        FROM (SELECT facet, value, sort(array_agg(entry_id)) AS ids FROM now
              WHERE posting_id IS NULL GROUP BY facet, value) n
        -- A value another transaction gave a row meanwhile: these entries join it.
        ON CONFLICT (facet, value) DO UPDATE
        SET entry_ids = p.entry_ids | EXCLUDED.entry_ids, entry_bits = p.entry_bits | EXCLUDED.entry_bits,
            size = icount(p.entry_ids | EXCLUDED.entry_ids)
        RETURNING p.id, p.facet, p.value
    ), kept AS (
        SELECT entry_id, posting_id FROM now WHERE posting_id IS NOT NULL
        UNION ALL
        SELECT n.entry_id, c.id::integer FROM now n JOIN created c ON c.facet = n.facet AND c.value = n.value
    ), was AS MATERIALIZED (
        SELECT r.entry_id::integer AS entry_id, w.posting_id
        FROM unnest(int_ids) k(id) JOIN depository_entrypostings r ON r.entry_id = k.id
        CROSS JOIN LATERAL unnest(r.posting_ids) w(posting_id)
    ), changes AS (
        SELECT coalesce(n.posting_id, w.posting_id) AS posting_id,
               coalesce(sort(array_agg(n.entry_id) FILTER (WHERE w.entry_id IS NULL)), '{}') AS added,
               coalesce(sort(array_agg(w.entry_id) FILTER (WHERE n.entry_id IS NULL)), '{}') AS removed
        FROM (SELECT entry_id, posting_id FROM now WHERE posting_id IS NOT NULL) n
        FULL JOIN was w ON w.entry_id = n.entry_id AND w.posting_id = n.posting_id
        WHERE n.entry_id IS NULL OR w.entry_id IS NULL
        GROUP BY 1
    ), changed AS (
        UPDATE depository_facetposting p
        SET entry_ids = (p.entry_ids - c.removed) | c.added,
            entry_bits = depository_with_bits(depository_with_bits(p.entry_bits, c.removed, 0), c.added, 1),
            -- What is added was not in the row, what is removed was: the record says so.
            size = p.size + cardinality(c.added) - cardinality(c.removed)
        FROM changes c WHERE p.id = c.posting_id
    ), recorded AS (
        INSERT INTO depository_entrypostings AS r (entry_id, posting_ids)
        SELECT entry_id, sort(array_agg(posting_id)) FROM kept GROUP BY entry_id
        ON CONFLICT (entry_id) DO UPDATE SET posting_ids = EXCLUDED.posting_ids
        WHERE r.posting_ids IS DISTINCT FROM EXCLUDED.posting_ids
    )
    -- An entry that no longer exists has no facet value, not even ('', ''): its record goes.
    DELETE FROM depository_entrypostings r USING unnest(int_ids) k(id)
    WHERE r.entry_id = k.id AND NOT EXISTS (SELECT 1 FROM depository_entry e WHERE e.id = k.id);
    -- The rows a search starts from exist even when empty.
    INSERT INTO depository_facetposting (facet, value, entry_ids, entry_bits, size)
    VALUES ('', '', '{}', repeat('0', bit_size)::bit varying, 0),
           ('status', 'published', '{}', repeat('0', bit_size)::bit varying, 0)
    ON CONFLICT (facet, value) DO NOTHING;
END $$;

-- Rewrite the search documents and facet rows of these entries (deleted ones leave both): a few
-- set-based statements, whatever the number of entries. A document or row whose content did not
-- change is not rewritten (no dead row for nothing).
CREATE OR REPLACE FUNCTION depository_search_reindex(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    SELECT depository_search_write_documents(ids);
    SELECT depository_search_write_facets(ids);
$$;

-- Every facet row and every entry's record again, from the entries. DELETE rather than TRUNCATE:
-- readers keep reading the old rows until this commits.
CREATE OR REPLACE FUNCTION depository_search_rebuild_facets() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM depository_facetposting;
    DELETE FROM depository_entrypostings;
    DELETE FROM depository_entrysearchdocument d WHERE NOT EXISTS (SELECT 1 FROM depository_entry e WHERE e.id = d.entry_id);
    PERFORM depository_search_write_facets(ARRAY(SELECT id FROM depository_entry ORDER BY id));
END $$;

-- Everything again, from the entries, in the caller's transaction (migration 0010; a rebuild inside a
-- transaction). manage.py rebuild_search_index writes the documents on two connections instead.
CREATE OR REPLACE FUNCTION depository_search_rebuild() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    every_id bigint[] := ARRAY(SELECT id FROM depository_entry ORDER BY id);
BEGIN
    DELETE FROM depository_searchqueue;
    PERFORM depository_search_write_documents(every_id);
    PERFORM depository_search_rebuild_facets();
    RETURN cardinality(every_id);
END $$;

-- == Keeping it current: mark, then flush once per transaction =================================
-- Take the queued entries and reindex them. Returns how many. Called at commit by the deferred
-- trigger below, and by depository.search.flush() where a transaction must read its own writes.
CREATE OR REPLACE FUNCTION depository_search_flush() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    taken_ids bigint[];
BEGIN
    PERFORM set_config('depository.search_pending', 'off', true);
    IF NOT EXISTS (SELECT 1 FROM depository_searchqueue) THEN
        RETURN 0;  -- also what keeps a read-only replica from writing
    END IF;
    WITH taken AS (DELETE FROM depository_searchqueue RETURNING entry_id)
    SELECT array_agg(entry_id) INTO taken_ids FROM taken;
    PERFORM depository_search_reindex(taken_ids);
    RETURN coalesce(cardinality(taken_ids), 0);
END $$;

-- One deferred event per queued row; the first flushes them all, the others see the flag and return.
CREATE OR REPLACE FUNCTION depository_search_flush_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('depository.search_pending', true) = 'on' THEN
        PERFORM depository_search_flush();
    END IF;
    RETURN NULL;
END $$;

-- Statement triggers: queue the entries a statement touched. TG_ARGV[0] is the SQL (over the
-- transition tables new_rows / old_rows, as the event has them) giving their ids.
CREATE OR REPLACE FUNCTION depository_search_mark() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    source text;
BEGIN
    FOREACH source IN ARRAY TG_ARGV LOOP
        EXECUTE 'INSERT INTO depository_searchqueue (entry_id) SELECT DISTINCT i FROM (' || source
            || ') s(i) WHERE i IS NOT NULL ON CONFLICT DO NOTHING';
    END LOOP;
    PERFORM set_config('depository.search_pending', 'on', true);
    RETURN NULL;
END $$;

-- A statement trigger on `tbl` for `event` (INSERT, UPDATE or DELETE) that queues the entries the
-- `sources` give (SQL over the transition tables the event has: new_rows, old_rows).
CREATE OR REPLACE FUNCTION depository_search_watch(tbl text, event text, VARIADIC sources text[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER %s ON %I REFERENCING %s FOR EACH STATEMENT '
                   'EXECUTE FUNCTION depository_search_mark(%s)',
        'search_mark_' || tbl || '_' || lower(event), event, tbl,
        CASE event WHEN 'INSERT' THEN 'NEW TABLE AS new_rows' WHEN 'DELETE' THEN 'OLD TABLE AS old_rows'
                   ELSE 'OLD TABLE AS old_rows NEW TABLE AS new_rows' END,
        (SELECT string_agg(quote_literal(source), ', ') FROM unnest(sources) source));
END $$;

-- An entry's row, its relations', its files' and its tags' (taggit's rows of other models left alone):
-- whatever writes them. For an UPDATE, the entry before and after (a row moved to another entry).
SELECT depository_search_watch(w.tbl, e.event, VARIADIC CASE e.event
        WHEN 'INSERT' THEN ARRAY[format(w.ids, 'new_rows')]
        WHEN 'DELETE' THEN ARRAY[format(w.ids, 'old_rows')]
        ELSE ARRAY[format(w.ids, 'new_rows'), format(w.ids, 'old_rows')] END)
FROM (VALUES
    ('depository_entry', 'SELECT id FROM %s'),
    ('depository_entry_themes', 'SELECT entry_id FROM %s'),
    ('depository_entry_city_types', 'SELECT entry_id FROM %s'),
    ('depository_entry_violence_types', 'SELECT entry_id FROM %s'),
    ('depository_entry_cities', 'SELECT entry_id FROM %s'),
    ('depository_attachment', 'SELECT entry_id FROM %s'),
    ('taggit_taggeditem', 'SELECT object_id FROM %s WHERE content_type_id = (SELECT id FROM django_content_type '
                          'WHERE app_label = ''depository'' AND model = ''entry'')')
) w(tbl, ids) CROSS JOIN (VALUES ('INSERT'), ('UPDATE'), ('DELETE')) e(event);

-- A term renamed, re-parented or moved to another country, and a tag made internal or public again:
-- the entries whose documents show its name.
SELECT depository_search_watch(w.tbl, w.event, w.ids) FROM (VALUES
    ('depository_theme', 'UPDATE', 'SELECT et.entry_id FROM depository_entry_themes et JOIN depository_theme th '
        'ON th.id = et.theme_id WHERE th.id IN (SELECT id FROM new_rows) OR th.parent_id IN (SELECT id FROM new_rows)'),
    ('depository_citytype', 'UPDATE', 'SELECT entry_id FROM depository_entry_city_types '
        'WHERE citytype_id IN (SELECT id FROM new_rows)'),
    ('depository_violencetype', 'UPDATE', 'SELECT entry_id FROM depository_entry_violence_types '
        'WHERE violencetype_id IN (SELECT id FROM new_rows)'),
    ('depository_city', 'UPDATE', 'SELECT entry_id FROM depository_entry_cities WHERE city_id IN (SELECT id FROM new_rows)'),
    ('taggit_tag', 'UPDATE', 'SELECT object_id FROM taggit_taggeditem WHERE tag_id IN (SELECT id FROM new_rows)'),
    ('depository_internaltag', 'INSERT', 'SELECT object_id FROM taggit_taggeditem WHERE tag_id IN (SELECT tag_id FROM new_rows)'),
    ('depository_internaltag', 'DELETE', 'SELECT object_id FROM taggit_taggeditem WHERE tag_id IN (SELECT tag_id FROM old_rows)')
) w(tbl, event, ids);

-- At commit, once: the queued entries are reindexed.
CREATE CONSTRAINT TRIGGER search_flush_at_commit AFTER INSERT ON depository_searchqueue
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION depository_search_flush_at_commit();

-- == Matching ====================================================================================
-- The sorted ids of the entries matching a query, each entry in its own language's parse
-- (arguments: the query parsed in twg_english, twg_spanish, twg_french, twg_arabic, twg_simple),
-- from the GIN index of the whole document, or with `titles` of the titles alone (the ranking's
-- candidates). `enable_seqscan = off` keeps the planner from unpacking every stored document; each
-- call is planned for its own words (a rare word's estimate is then right), and neither parallel
-- workers nor JIT are started for a scan that takes a millisecond: measured at 100,000 entries,
-- `kidnapping` (65 matches) took 12-25 ms with the generic plan's parallel Gather, under 1 ms without.
CREATE OR REPLACE FUNCTION depository_matching_ids(q_en tsquery, q_es tsquery, q_fr tsquery, q_ar tsquery,
    q_other tsquery, titles boolean DEFAULT false)
RETURNS integer[] LANGUAGE plpgsql STABLE
SET enable_seqscan = off SET plan_cache_mode = force_custom_plan SET parallel_setup_cost = 20000 SET jit = off
AS $$
DECLARE
    -- The column as a name in the statement, not `titles` in its WHERE: each arm must be a GIN scan.
    col text := CASE WHEN titles THEN 'title_vector' ELSE 'document' END;
    found integer[];
BEGIN
    EXECUTE format($sql$
        SELECT coalesce(sort(array_agg(d.entry_id::integer)), '{}'::integer[]) FROM (
            SELECT entry_id FROM depository_entrysearchdocument WHERE language = 'en' AND %1$I @@ $1
            UNION ALL SELECT entry_id FROM depository_entrysearchdocument WHERE language = 'es' AND %1$I @@ $2
            UNION ALL SELECT entry_id FROM depository_entrysearchdocument WHERE language = 'fr' AND %1$I @@ $3
            UNION ALL SELECT entry_id FROM depository_entrysearchdocument WHERE language = 'ar' AND %1$I @@ $4
            UNION ALL SELECT entry_id FROM depository_entrysearchdocument
                      WHERE language NOT IN ('en', 'es', 'fr', 'ar') AND %1$I @@ $5) d
    $sql$, col) INTO found USING q_en, q_es, q_fr, q_ar, q_other;
    RETURN found;
END $$;

-- The union of id arrays (a facet's chosen values, ORed).
CREATE OR REPLACE AGGREGATE depository_int_union(integer[]) (SFUNC = _int_union, STYPE = integer[]);
