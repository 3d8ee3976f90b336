-- The depository's search index, issue 23: what a page of results asks of the stored documents, and
-- matching with fewer trips through the SQL executor. Installed by migrations 0036_snippet_words
-- (depository_any_word) and 0037_matching_planned_once (the rest), which read each function by name;
-- search_terms.sql and search_v1.sql keep the versions these replace.
--
-- The words of a parsed query that a snippet can mark, as one query matching any of them: the
-- query's positive words (querytree drops the negated ones: an entry a search found has none of
-- them), each operator (&, a phrase's <N>) turned into |. NULL when nothing is left: only stop
-- words ('') or only negated words ('T'). ts_headline marks every word of the query it finds, even
-- where the whole query is not satisfied in the text it is given (it then shows the text's first
-- words with those marked), so "any word" is the test that says whether it can mark anything; a
-- query's AND would skip, say, `crime prevention`'s entries whose summary says only "crime".
CREATE OR REPLACE FUNCTION depository_any_word(q tsquery) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN querytree(q) NOT IN ('', 'T')
                THEN regexp_replace(querytree(q), '&|<[0-9]+>|<->', '|', 'g')::tsquery END
$$;

-- The lexemes of a parsed query when it is a plain conjunction of words (`'crime' & 'prevent'`), as
-- search_terms.sql's version gives them ('{}' for an empty parse, NULL for any other shape), read
-- from the query's text by splitting rather than by regexp_matches: ~10 us a call instead of ~32, and
-- a search asks it for each of the five language groups.
CREATE OR REPLACE FUNCTION depository_query_lexemes(q tsquery) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN q IS NULL THEN NULL
        WHEN q::text = '' THEN '{}'::text[]
        WHEN q::text ~ '^''[^''\\]+''( & ''[^''\\]+'')*$'
            THEN ARRAY(SELECT DISTINCT unnest(string_to_array(btrim(q::text, ''''), ''' & ''')))
    END
$$;

-- The sorted ids of the entries whose document (or, with `titles`, whose title) matches, each entry
-- in its own language's parse (arguments: the query parsed in twg_english, twg_spanish, twg_french,
-- twg_arabic and twg_simple; a NULL query matches nothing and its arm reads no index entry). The same
-- answers as search_v1.sql's version, which built its statement as text at each call (EXECUTE
-- format(...), to name the column): PostgreSQL parsed and planned it every time, ~0.35 ms of a rare
-- word's 0.6 (`kidnapping` at 100,000 entries). Here each column has its static statement, planned
-- once per session and kept (force_generic_plan: a custom plan per call would plan again, and the
-- plan is the same for every query, one GIN scan per language group).
CREATE OR REPLACE FUNCTION depository_matching_ids(q_en tsquery, q_es tsquery, q_fr tsquery, q_ar tsquery,
    q_other tsquery, titles boolean DEFAULT false)
RETURNS integer[] LANGUAGE plpgsql STABLE
SET enable_seqscan = off SET plan_cache_mode = force_generic_plan SET parallel_setup_cost = 20000 SET jit = off
AS $$
BEGIN
    IF titles THEN
        RETURN (SELECT coalesce(sort(array_agg(d.entry_id::integer)), '{}'::integer[]) FROM (
            SELECT entry_id FROM depository_entrysearchdocument WHERE language = 'en' AND title_vector @@ q_en
            UNION ALL SELECT entry_id FROM depository_entrysearchdocument WHERE language = 'es' AND title_vector @@ q_es
            UNION ALL SELECT entry_id FROM depository_entrysearchdocument WHERE language = 'fr' AND title_vector @@ q_fr
            UNION ALL SELECT entry_id FROM depository_entrysearchdocument WHERE language = 'ar' AND title_vector @@ q_ar
            UNION ALL SELECT entry_id FROM depository_entrysearchdocument
                      WHERE language NOT IN ('en', 'es', 'fr', 'ar') AND title_vector @@ q_other) d);
    END IF;
    RETURN (SELECT coalesce(sort(array_agg(d.entry_id::integer)), '{}'::integer[]) FROM (
        SELECT entry_id FROM depository_entrysearchdocument WHERE language = 'en' AND document @@ q_en
        UNION ALL SELECT entry_id FROM depository_entrysearchdocument WHERE language = 'es' AND document @@ q_es
        UNION ALL SELECT entry_id FROM depository_entrysearchdocument WHERE language = 'fr' AND document @@ q_fr
        UNION ALL SELECT entry_id FROM depository_entrysearchdocument WHERE language = 'ar' AND document @@ q_ar
        UNION ALL SELECT entry_id FROM depository_entrysearchdocument
                  WHERE language NOT IN ('en', 'es', 'fr', 'ar') AND document @@ q_other) d);
END $$;

-- The entries matching a query, each in its own language's parse: the same arguments and answers as
-- search_terms.sql's version (which says what `ids`, `bits` and `title_bits` hold, and when a group
-- is answered by its term rows or by the GIN index). What a group needs to know (whether it has
-- documents, its lexemes, its term rows) is read in one statement for the five groups, where that
-- version ran eleven, each a trip through the SQL executor (~0.5 ms of a rare word's 1.5 at 100,000
-- entries). Each group's name a constant, as there: with a parameter, a cached plan scanned the whole
-- table for a group without documents.
CREATE OR REPLACE FUNCTION depository_matching(q_en tsquery, q_es tsquery, q_fr tsquery, q_ar tsquery,
    q_other tsquery, OUT ids integer[], OUT bits bit varying, OUT title_bits bit varying)
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    gin tsquery[] := ARRAY[NULL, NULL, NULL, NULL, NULL]::tsquery[];
    arm record;
    by_gin boolean := false;
    by_terms boolean := false;
BEGIN
    -- Zeros of the facet rows' length, in C (a 100,000-character text cast to bits took ~0.6 ms).
    bits := coalesce((SELECT entry_bits # entry_bits FROM depository_facetposting WHERE facet = '' AND value = ''),
                     ''::bit varying);
    title_bits := bits;
    -- A group without documents is skipped, as is one whose parse is only stop words (no entry of it
    -- matches); a group whose lexemes all have a term row is their AND, any other goes to the GIN index.
    FOR arm IN
        SELECT g.i, g.q, w.lexemes, t.found, t.entry_bits, t.title_bits
        FROM (VALUES
            (1, 'en', q_en, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'en')),
            (2, 'es', q_es, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'es')),
            (3, 'fr', q_fr, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'fr')),
            (4, 'ar', q_ar, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'ar')),
            (5, '', q_other, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = ''))
        ) g(i, language_group, q, populated)
        CROSS JOIN LATERAL (SELECT depository_query_lexemes(g.q) AS lexemes) w
        LEFT JOIN LATERAL (
            SELECT count(*) AS found, bit_and(p.entry_bits) AS entry_bits, bit_and(p.title_bits) AS title_bits
            FROM depository_termposting p WHERE p.language = g.language_group AND p.lexeme = ANY(w.lexemes)
        ) t ON true
        WHERE g.populated AND coalesce(cardinality(w.lexemes) > 0, true)
    LOOP
        IF arm.found = cardinality(arm.lexemes) AND length(arm.entry_bits) = length(bits) THEN
            bits := bits | arm.entry_bits;
            title_bits := title_bits | arm.title_bits;
            by_terms := true;
        ELSE
            gin[arm.i] := arm.q;
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
        bits := depository_with_bits(bits, depository_matching_ids(gin[1], gin[2], gin[3], gin[4], gin[5], false), 1);
        title_bits := depository_with_bits(title_bits,
            depository_matching_ids(gin[1], gin[2], gin[3], gin[4], gin[5], true), 1);
    END IF;
END $$;
