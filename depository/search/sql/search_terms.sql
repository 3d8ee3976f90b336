-- The depository's search index: term rows for the most frequent words (issue 23). Installed by
-- migration 0031_term_postings, which reads each function below by name. Everything else stays as
-- search_v1.sql and search_v2.sql install it.
--
-- Why: a search for common words (`crime prevention`: 33,149 of 100,000 entries) spent ~29 ms
-- matching through the GIN index, which visits every page of the documents' table to read the
-- matches' ids, and ~9 ms turning 33,000 ids into a bit string; tantivy answered the whole query in
-- ~6 ms. A dedicated engine reads a posting list per word. Here the most frequent words of each
-- language group have one: a row of depository_termposting holding their entries as a bit string
-- (the facet rows' positions: bit id - 1), so a conjunction of such words is an AND of a few 12.5 kB
-- strings, and their entries with the word in the title are a second string (the ranking's title
-- candidates). A rare word keeps the GIN index: its match reads few pages.
--
-- Kept current by the same mechanism as the facet rows: depository_search_write_documents (run at
-- the commit of every write by the change queue) compares each entry's tracked words before and after
-- and sets or clears only the bits that changed. Which words have a row is chosen at
-- rebuild_search_index (depository_search_rebuild_terms): the choice is tuning, never correctness,
-- because a word without a row is matched through the GIN index, to the same result.

-- The language group of a document's language: the text search configuration it was built in
-- (depository_search_config): en, es, fr, ar, or '' for twg_simple.
CREATE OR REPLACE FUNCTION depository_search_group(language text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN language IN ('en', 'es', 'fr', 'ar') THEN language ELSE '' END
$$;

-- Which groups have documents at all (depository_matching skips the others), from a small index.
CREATE INDEX IF NOT EXISTS entry_search_document_group ON depository_entrysearchdocument (depository_search_group(language));

-- The common length of the facet rows' and term rows' bit strings, made to cover `largest_id`: every
-- row is padded once per 8,192 entries created (bit strings of different lengths cannot be ANDed).
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
    -- Also when the facet rows already had the length: a term row chosen before they grew.
    UPDATE depository_termposting
    SET entry_bits = entry_bits || repeat('0', wanted - length(entry_bits))::bit varying,
        title_bits = title_bits || repeat('0', wanted - length(title_bits))::bit varying
    WHERE length(entry_bits) < wanted;
    RETURN wanted;
END $$;

-- The lexemes of a parsed query when it is a plain conjunction of words (`'crime' & 'prevent'`): the
-- only shape term rows answer. '{}' when the parse is empty (only stop words: it matches nothing);
-- NULL for anything else (OR, NOT, a phrase, a prefix, a weight, a quote or backslash in a word),
-- which the GIN index answers.
CREATE OR REPLACE FUNCTION depository_query_lexemes(q tsquery) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN q IS NULL THEN NULL
        WHEN q::text = '' THEN '{}'::text[]
        WHEN q::text ~ '^''[^''\\]+''( & ''[^''\\]+'')*$'
            THEN ARRAY(SELECT DISTINCT m[1] FROM regexp_matches(q::text, '''([^'']+)''', 'g') m)
    END
$$;

-- The `k` largest ids whose bits are set in `bits` (all when fewer), sorted: the newest matches, read
-- from the end of the string 4,096 bits at a time. A slice's set bits are counted first (bit_count, in
-- C): an empty slice costs nothing more, a sparse one (a title match every few thousand entries) is
-- read with position() per set bit, a dense one as text.
CREATE OR REPLACE FUNCTION depository_last_ids(bits bit varying, k integer) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    stop integer := coalesce(length(bits), 0);
    start integer;
    slice bit varying;
    ones integer;
    found integer[] := '{}';
    part integer[];
    at integer;
BEGIN
    WHILE stop > 0 AND cardinality(found) < k LOOP
        start := greatest(1, stop - 4095);
        slice := substring(bits FROM start FOR stop - start + 1);
        ones := bit_count(slice);
        IF ones > 32 THEN
            found := ARRAY(SELECT start - 1 + p FROM unnest(array_positions(
                         string_to_array(slice::text, NULL), '1')) p) || found;
        ELSIF ones > 0 THEN
            part := '{}';
            at := 0;
            FOR n IN 1..ones LOOP
                at := at + position(B'1' IN substring(slice FROM at + 1));
                part := part || (start - 1 + at);
            END LOOP;
            found := part || found;
        END IF;
        stop := start - 1;
    END LOOP;
    RETURN found[greatest(1, cardinality(found) - k + 1):];
END $$;

-- The entries matching a query, each in its own language's parse (arguments as
-- depository_matching_ids: the query parsed in twg_english, twg_spanish, twg_french, twg_arabic,
-- twg_simple), as
--   ids:        their sorted ids when every language group was matched through the GIN index, else NULL;
--   bits:       the same entries as a bit string of the facet rows' length;
--   title_bits: when some group was answered by term rows, the matches with every word in the
--               title (the ranking's title candidates), else NULL (the caller matches the titles).
-- A group whose parse is a conjunction of words that all have a term row is an AND of those rows;
-- any other group is matched through the GIN index, restricted to its language.
CREATE OR REPLACE FUNCTION depository_matching(q_en tsquery, q_es tsquery, q_fr tsquery, q_ar tsquery,
    q_other tsquery, OUT ids integer[], OUT bits bit varying, OUT title_bits bit varying)
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    groups text[] := ARRAY['en', 'es', 'fr', 'ar', ''];
    queries tsquery[] := ARRAY[q_en, q_es, q_fr, q_ar, q_other];
    lexemes text[];
    rows_found integer;
    arm_bits bit varying;
    arm_title bit varying;
    gin tsquery[] := ARRAY[NULL, NULL, NULL, NULL, NULL]::tsquery[];
    by_gin boolean := false;
    by_terms boolean := false;
    gin_ids integer[];
    -- A group without documents is skipped: its GIN arm would still read the shared index's posting
    -- lists of its words, which the other groups' documents fill (~5 ms for `crime` in the twg_simple
    -- arm at 20,000 entries, none of them in a language of that group). Each group a constant: with a
    -- parameter, the plan cached after five calls scanned the whole table for an empty group (~15 ms).
    populated boolean[] := ARRAY[
        EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'en'),
        EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'es'),
        EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'fr'),
        EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'ar'),
        EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = '')];
BEGIN
    -- Zeros of the facet rows' length, in C (a 100,000-character text cast to bits took ~0.6 ms).
    bits := (SELECT entry_bits # entry_bits FROM depository_facetposting WHERE facet = '' AND value = '');
    bits := coalesce(bits, ''::bit varying);
    title_bits := bits;
    FOR i IN 1..5 LOOP
        lexemes := depository_query_lexemes(queries[i]);
        IF lexemes IS NOT NULL AND cardinality(lexemes) = 0 THEN
            CONTINUE;  -- only stop words in this language: no entry of it matches
        END IF;
        IF NOT populated[i] THEN
            CONTINUE;
        END IF;
        rows_found := 0;
        IF lexemes IS NOT NULL THEN
            SELECT count(*), bit_and(t.entry_bits), bit_and(t.title_bits) INTO rows_found, arm_bits, arm_title
            FROM depository_termposting t WHERE t.language = groups[i] AND t.lexeme = ANY(lexemes);
        END IF;
        IF rows_found = cardinality(lexemes) AND length(arm_bits) = length(bits) THEN
            bits := bits | arm_bits;
            title_bits := title_bits | arm_title;
            by_terms := true;
        ELSE
            gin[i] := queries[i];
            by_gin := true;
        END IF;
    END LOOP;
    IF NOT by_terms THEN
        ids := depository_matching_ids(q_en, q_es, q_fr, q_ar, q_other, false);
        bits := depository_with_bits(bits, ids, 1);
        title_bits := NULL;
        RETURN;
    END IF;
    IF by_gin THEN
        -- A NULL query matches nothing (`@@ NULL` is never true): its arm reads no index entry.
        gin_ids := depository_matching_ids(gin[1], gin[2], gin[3], gin[4], gin[5], false);
        bits := depository_with_bits(bits, gin_ids, 1);
        title_bits := depository_with_bits(title_bits,
            depository_matching_ids(gin[1], gin[2], gin[3], gin[4], gin[5], true), 1);
    END IF;
END $$;

-- Rewrite the search documents of these entries (deleted ones lose theirs), and follow each changed
-- document in the term rows: the bits of the tracked words an entry gained or lost (in the document,
-- or in its title) are set or cleared; a row no entry changed is not written. Before and after are
-- read in one statement, so the difference is taken against the document as it was; an entry whose
-- document did not change costs no comparison (a rebuild of unchanged documents reads no term row).
CREATE OR REPLACE FUNCTION depository_search_write_documents(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM depository_termposting) THEN
        DELETE FROM depository_entrysearchdocument d USING unnest(ids) k(id)
        WHERE d.entry_id = k.id AND NOT EXISTS (SELECT 1 FROM depository_entry e WHERE e.id = d.entry_id);
        INSERT INTO depository_entrysearchdocument AS d (entry_id, language, title_vector, document)
        SELECT * FROM depository_search_documents(ids)
        ON CONFLICT (entry_id) DO UPDATE
        SET language = EXCLUDED.language, title_vector = EXCLUDED.title_vector, document = EXCLUDED.document
        WHERE (d.language, d.title_vector, d.document) IS DISTINCT FROM
              (EXCLUDED.language, EXCLUDED.title_vector, EXCLUDED.document);
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
        SELECT * FROM depository_search_documents(ids)
    ), old AS MATERIALIZED (
        SELECT d.* FROM (SELECT DISTINCT unnest(ids)) k(id) JOIN depository_entrysearchdocument d ON d.entry_id = k.id
    ), differs AS MATERIALIZED (
        SELECT coalesce(f.entry_id, o.entry_id) AS entry_id, o.language AS old_language, o.document AS old_document,
            o.title_vector AS old_title,
            f.language, f.document, f.title_vector
        FROM old o FULL JOIN fresh f ON f.entry_id = o.entry_id
        WHERE (o.language, o.document, o.title_vector) IS DISTINCT FROM (f.language, f.document, f.title_vector)
    ), gone AS (
        DELETE FROM depository_entrysearchdocument d USING old o
        WHERE d.entry_id = o.entry_id AND NOT EXISTS (SELECT 1 FROM depository_entry e WHERE e.id = d.entry_id)
    ), was AS (
        SELECT c.entry_id::integer AS entry_id, t.id AS term_id, l.lexeme = ANY(tsvector_to_array(c.old_title)) AS in_title
        FROM differs c CROSS JOIN LATERAL unnest(tsvector_to_array(c.old_document)) l(lexeme)
        JOIN depository_termposting t ON t.language = depository_search_group(c.old_language) AND t.lexeme = l.lexeme
        WHERE c.old_document IS NOT NULL
    ), now AS (
        SELECT c.entry_id::integer AS entry_id, t.id AS term_id, l.lexeme = ANY(tsvector_to_array(c.title_vector)) AS in_title
        FROM differs c CROSS JOIN LATERAL unnest(tsvector_to_array(c.document)) l(lexeme)
        JOIN depository_termposting t ON t.language = depository_search_group(c.language) AND t.lexeme = l.lexeme
        WHERE c.document IS NOT NULL
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
    INSERT INTO depository_entrysearchdocument AS d (entry_id, language, title_vector, document)
    SELECT c.entry_id, c.language, c.title_vector, c.document FROM differs c WHERE c.document IS NOT NULL
    ON CONFLICT (entry_id) DO UPDATE
    SET language = EXCLUDED.language, title_vector = EXCLUDED.title_vector, document = EXCLUDED.document;
END $$;

-- Choose the words that get a term row and write the rows from the documents: in each language group,
-- the `per_group` words found in the most entries, among those found in at least `min_entries`
-- (ts_stat's document counts). Returns the number of rows. Run by `manage.py choose_search_terms`
-- (depository.search.choose_terms), in one transaction: readers see the old rows until it commits.
-- It reads every document's words (~30 s at 100,000 entries on the 2-core machine): a maintenance
-- step after a large import, not part of every rebuild (the rows follow each document's change).
CREATE OR REPLACE FUNCTION depository_search_rebuild_terms(min_entries integer, per_group integer)
RETURNS integer LANGUAGE plpgsql SET work_mem = '256MB' AS $$
DECLARE
    bit_size integer := depository_bit_length((SELECT max(id)::integer FROM depository_entry));
    written integer;
BEGIN
    DELETE FROM depository_termposting;
    INSERT INTO depository_termposting (language, lexeme, entry_bits, title_bits, size)
    SELECT g.language, s.word, '', '', 0
    FROM (VALUES ('en'), ('es'), ('fr'), ('ar'), ('')) g(language)
    CROSS JOIN LATERAL (
        SELECT word FROM ts_stat(format(
            'SELECT document FROM depository_entrysearchdocument WHERE depository_search_group(language) = %L',
            g.language))
        WHERE ndoc >= min_entries ORDER BY ndoc DESC, word LIMIT per_group) s;
    GET DIAGNOSTICS written = ROW_COUNT;
    -- Grouped by the row's integer id in a hash table: grouping millions of (word, entry) pairs by
    -- text sorted them under the collation (two thirds of the time at 20,000 entries).
    UPDATE depository_termposting t
    SET entry_bits = depository_bits(o.ids, bit_size), size = cardinality(o.ids)
    FROM (SELECT t.id, sort(array_agg(d.entry_id::integer)) AS ids
          FROM depository_entrysearchdocument d CROSS JOIN LATERAL unnest(tsvector_to_array(d.document)) l(lexeme)
          JOIN depository_termposting t ON t.language = depository_search_group(d.language) AND t.lexeme = l.lexeme
          GROUP BY t.id) o
    WHERE t.id = o.id;
    UPDATE depository_termposting t
    SET title_bits = depository_bits(coalesce(o.ids, '{}'), bit_size)
    FROM (SELECT t.id, sort(array_agg(d.entry_id::integer) FILTER (WHERE d.entry_id IS NOT NULL)) AS ids
          FROM depository_termposting t LEFT JOIN (depository_entrysearchdocument d
               CROSS JOIN LATERAL unnest(tsvector_to_array(d.title_vector)) l(lexeme))
          ON t.language = depository_search_group(d.language) AND t.lexeme = l.lexeme
          GROUP BY t.id) o
    WHERE t.id = o.id;
    RETURN written;
END $$;
