-- The depository's search index: the search documents carry the entry's tie-breaks of a search by
-- relevance (issue 23). Only the function that changed is here; search_terms.sql keeps the version
-- migration 0031 installs.
--
-- Why: ranking a search's candidates ordered equal ranks by the entry's year, date issued, date added
-- and creation (NEWEST_WORK_FIRST), and joined every candidate's entry row for those four columns
-- alone: `kidnapping`'s 65 candidates, 0.12 of its counting statement's 1.33 ms at 100,000 entries
-- (0.17 of 1.49 ms with other searches' statements run between). The document's row, which ranking
-- reads anyway, now holds copies of them (EntrySearchDocument's year, date_issued, published_at,
-- created_at), written here with the document: every write of an entry marks it (the queue's
-- trigger on depository_entry), and its flush brings the copies up to date at the same commit. A row
-- whose copies changed and whose words did not is rewritten without touching the term rows.

CREATE OR REPLACE FUNCTION depository_search_write_documents(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM depository_termposting) THEN
        DELETE FROM depository_entrysearchdocument d USING unnest(ids) k(id)
        WHERE d.entry_id = k.id AND NOT EXISTS (SELECT 1 FROM depository_entry e WHERE e.id = d.entry_id);
        INSERT INTO depository_entrysearchdocument AS d (entry_id, language, title_vector, document, year,
            date_issued, published_at, created_at)
        SELECT s.*, e.year, e.date_issued, e.published_at, e.created_at
        FROM depository_search_documents(ids) s JOIN depository_entry e ON e.id = s.entry_id
        ON CONFLICT (entry_id) DO UPDATE
        SET language = EXCLUDED.language, title_vector = EXCLUDED.title_vector, document = EXCLUDED.document,
            year = EXCLUDED.year, date_issued = EXCLUDED.date_issued, published_at = EXCLUDED.published_at,
            created_at = EXCLUDED.created_at
        WHERE (d.language, d.title_vector, d.document, d.year, d.date_issued, d.published_at, d.created_at)
              IS DISTINCT FROM (EXCLUDED.language, EXCLUDED.title_vector, EXCLUDED.document, EXCLUDED.year,
              EXCLUDED.date_issued, EXCLUDED.published_at, EXCLUDED.created_at);
        RETURN;
    END IF;
    -- A new entry's bit must exist before it is set (depository_with_bits ignores ids past the end).
    PERFORM depository_bit_length((SELECT max(i)::integer FROM unnest(ids) i));
    -- An entry deleted through the ORM lost its document first (Django deletes the one-to-one row
    -- before the entry): its words are unknown, so its bit is cleared wherever it is set.
    UPDATE depository_termposting t
    SET entry_bits = depository_with_bits(t.entry_bits, v.ids, 0),
        title_bits = depository_with_bits(t.title_bits, v.ids, 0),
        size = t.size - (SELECT count(*) FROM unnest(v.ids) i WHERE depository_has(t.entry_bits, i))
    FROM (SELECT array_agg(k.id::integer ORDER BY k.id) AS ids FROM (SELECT DISTINCT unnest(ids)) k(id)
          WHERE NOT EXISTS (SELECT 1 FROM depository_entry e WHERE e.id = k.id)
            AND NOT EXISTS (SELECT 1 FROM depository_entrysearchdocument d WHERE d.entry_id = k.id)) v
    WHERE v.ids IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(v.ids) i WHERE depository_has(t.entry_bits, i));
    WITH fresh AS MATERIALIZED (
        SELECT s.*, e.year, e.date_issued, e.published_at, e.created_at
        FROM depository_search_documents(ids) s JOIN depository_entry e ON e.id = s.entry_id
    ), old AS MATERIALIZED (
        SELECT d.* FROM (SELECT DISTINCT unnest(ids)) k(id) JOIN depository_entrysearchdocument d ON d.entry_id = k.id
    ), differs AS MATERIALIZED (
        SELECT coalesce(f.entry_id, o.entry_id) AS entry_id, o.language AS old_language, o.document AS old_document,
            o.title_vector AS old_title,
            f.language, f.document, f.title_vector, f.year, f.date_issued, f.published_at, f.created_at,
            (o.language, o.document, o.title_vector) IS DISTINCT FROM (f.language, f.document, f.title_vector)
                AS words_differ
        FROM old o FULL JOIN fresh f ON f.entry_id = o.entry_id
        WHERE (o.language, o.document, o.title_vector, o.year, o.date_issued, o.published_at, o.created_at)
              IS DISTINCT FROM (f.language, f.document, f.title_vector, f.year, f.date_issued, f.published_at,
              f.created_at)
    ), gone AS (
        DELETE FROM depository_entrysearchdocument d USING old o
        WHERE d.entry_id = o.entry_id AND NOT EXISTS (SELECT 1 FROM depository_entry e WHERE e.id = d.entry_id)
    ), was AS (
        SELECT c.entry_id::integer AS entry_id, t.id AS term_id, l.lexeme = ANY(tsvector_to_array(c.old_title)) AS in_title
        FROM differs c CROSS JOIN LATERAL unnest(tsvector_to_array(c.old_document)) l(lexeme)
        JOIN depository_termposting t ON t.language = depository_search_group(c.old_language) AND t.lexeme = l.lexeme
        WHERE c.old_document IS NOT NULL AND c.words_differ
    ), now AS (
        SELECT c.entry_id::integer AS entry_id, t.id AS term_id, l.lexeme = ANY(tsvector_to_array(c.title_vector)) AS in_title
        FROM differs c CROSS JOIN LATERAL unnest(tsvector_to_array(c.document)) l(lexeme)
        JOIN depository_termposting t ON t.language = depository_search_group(c.language) AND t.lexeme = l.lexeme
        WHERE c.document IS NOT NULL AND c.words_differ
    ), changes AS (
        SELECT coalesce(n.term_id, w.term_id) AS term_id,
            coalesce(sort(array_agg(n.entry_id) FILTER (WHERE w.entry_id IS NULL)), '{}') AS added,
            coalesce(sort(array_agg(w.entry_id) FILTER (WHERE n.entry_id IS NULL)), '{}') AS removed,
            coalesce(sort(array_agg(n.entry_id) FILTER (WHERE n.in_title AND NOT coalesce(w.in_title, false))),
                '{}') AS title_added,
            coalesce(sort(array_agg(w.entry_id) FILTER (WHERE w.in_title AND NOT coalesce(n.in_title, false))),
                '{}') AS title_removed
        FROM now n FULL JOIN was w ON w.entry_id = n.entry_id AND w.term_id = n.term_id
        WHERE n.entry_id IS NULL OR w.entry_id IS NULL OR n.in_title <> w.in_title
        GROUP BY 1
    ), changed AS (
        UPDATE depository_termposting t
        SET entry_bits = depository_with_bits(depository_with_bits(t.entry_bits, c.removed, 0), c.added, 1),
            title_bits = depository_with_bits(depository_with_bits(t.title_bits, c.title_removed, 0), c.title_added, 1),
            size = t.size + cardinality(c.added) - cardinality(c.removed)
        FROM changes c WHERE t.id = c.term_id
    )
    INSERT INTO depository_entrysearchdocument AS d (entry_id, language, title_vector, document, year,
        date_issued, published_at, created_at)
    SELECT c.entry_id, c.language, c.title_vector, c.document, c.year, c.date_issued, c.published_at,
        c.created_at
    FROM differs c WHERE c.document IS NOT NULL
    ON CONFLICT (entry_id) DO UPDATE
    SET language = EXCLUDED.language, title_vector = EXCLUDED.title_vector, document = EXCLUDED.document,
        year = EXCLUDED.year, date_issued = EXCLUDED.date_issued, published_at = EXCLUDED.published_at,
        created_at = EXCLUDED.created_at;
END $$;
