-- The depository's search index, issue 23: a search with a negated word (`youth -gangs`, the browse
-- form's own example) answered from term rows too. Installed by migration 0039_negated_words, which
-- reads each function by name; search_v6.sql and search_v5.sql keep the versions these replace.
--
-- Before, any query but a plain conjunction went to the GIN index in every language group, and a
-- frequent word read its thousands of matches there: depository_matching took 45-68 ms for
-- `safe -drugs` and `youth -gangs` at 100,000 entries, against ~1 ms for `youth` alone from its term
-- row. A negated word removes entries; it never adds one, so the group's matches are the AND of its
-- words' term rows with the matches of any negated word taken out: by their term rows, or, for a rare
-- word without one, by the GIN index (a few index entries, as any rare word's search reads).

-- A query's words as a term row can answer them: a conjunction of words, some of them negated
-- (`'youth' & !'gang'`), with at least one not negated. The lexemes not negated, each once, in sorted
-- order; '{}' for an empty parse (only stop words); NULL for any other shape (an OR, a phrase, a
-- prefix, only negated words), which goes to the GIN index. Without a sub-select, so that PostgreSQL
-- inlines it (search_v6.sql). The lexemes' characters are those the parser puts in a word: no quote,
-- backslash, space, `&` or `!`, so the text can be cut at those.
CREATE OR REPLACE FUNCTION depository_query_lexemes(q tsquery) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN q IS NULL THEN NULL
        WHEN q::text = '' THEN '{}'::text[]
        WHEN q::text ~ '^!?''[^''\\ &!]+''( & !?''[^''\\ &!]+'')*$' AND q::text ~ '(^|& )'''
            THEN tsvector_to_array(array_to_tsvector(string_to_array(btrim(
                regexp_replace(regexp_replace(q::text, '!''[^'']+''', '', 'g'), '[ &]+', ' ', 'g'),
                ' '''), ''' ''')))
    END
$$;

-- The negated lexemes of such a query ('{}' when none is negated, as for a plain conjunction); NULL
-- for any other shape (depository_query_lexemes's). Each once, sorted.
CREATE OR REPLACE FUNCTION depository_query_negated(q tsquery) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN q IS NULL THEN NULL
        WHEN q::text = '' THEN '{}'::text[]
        WHEN q::text !~ '^!?''[^''\\ &!]+''( & !?''[^''\\ &!]+'')*$' OR q::text !~ '(^|& )''' THEN NULL
        WHEN position('!' IN q::text) = 0 THEN '{}'::text[]
        ELSE tsvector_to_array(array_to_tsvector(string_to_array(btrim(
            regexp_replace(regexp_replace(q::text, '(^|& )''[^'']+''', '\1', 'g'), '[ &!]+', ' ', 'g'),
            ' '''), ''' ''')))
    END
$$;

-- The entries matching a query, each in its own language's parse: the same arguments and answers as
-- search_v5.sql's version (search_terms.sql says what `ids`, `bits` and `title_bits` hold). A group
-- whose words not negated all have a term row is the AND of those rows, less the entries of its
-- negated words: the OR of their term rows when each has one, else the GIN index's matches of those
-- words alone in that group. The title bits are the words' own (the caller ANDs them with the
-- matches). Any other group goes to the GIN index, as before.
CREATE OR REPLACE FUNCTION depository_matching(q_en tsquery, q_es tsquery, q_fr tsquery, q_ar tsquery,
    q_other tsquery, OUT ids integer[], OUT bits bit varying, OUT title_bits bit varying)
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    gin tsquery[] := ARRAY[NULL, NULL, NULL, NULL, NULL]::tsquery[];
    arm record;
    group_bits bit varying;
    unwanted tsquery;
    by_gin boolean := false;
    by_terms boolean := false;
BEGIN
    -- Zeros of the facet rows' length, in C (a 100,000-character text cast to bits took ~0.6 ms).
    bits := coalesce((SELECT entry_bits # entry_bits FROM depository_facetposting WHERE facet = '' AND value = ''),
                     ''::bit varying);
    title_bits := bits;
    -- A group without documents is skipped, as is one whose parse is only stop words (no entry of it
    -- matches).
    FOR arm IN
        SELECT g.i, g.q, w.lexemes, w.negated, t.found, t.entry_bits, t.title_bits,
               n.found AS negated_found, n.entry_bits AS negated_bits
        FROM (VALUES
            (1, 'en', q_en, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'en')),
            (2, 'es', q_es, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'es')),
            (3, 'fr', q_fr, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'fr')),
            (4, 'ar', q_ar, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'ar')),
            (5, '', q_other, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = ''))
        ) g(i, language_group, q, populated)
        CROSS JOIN LATERAL (SELECT depository_query_lexemes(g.q) AS lexemes, depository_query_negated(g.q) AS negated
                            OFFSET 0) w
        LEFT JOIN LATERAL (
            SELECT count(*) AS found, bit_and(p.entry_bits) AS entry_bits, bit_and(p.title_bits) AS title_bits
            FROM depository_termposting p WHERE p.language = g.language_group AND p.lexeme = ANY(w.lexemes)
        ) t ON true
        LEFT JOIN LATERAL (
            SELECT count(*) AS found, bit_or(p.entry_bits) AS entry_bits
            FROM depository_termposting p WHERE p.language = g.language_group AND p.lexeme = ANY(w.negated)
        ) n ON true
        WHERE g.populated AND coalesce(cardinality(w.lexemes) > 0, true)
    LOOP
        IF arm.found = cardinality(arm.lexemes) AND length(arm.entry_bits) = length(bits) THEN
            group_bits := arm.entry_bits;
            IF cardinality(arm.negated) > 0 THEN
                IF arm.negated_found = cardinality(arm.negated) AND length(arm.negated_bits) = length(bits) THEN
                    group_bits := group_bits & ~arm.negated_bits;
                ELSE
                    -- Any of the negated words, matched in this group alone (the other groups' queries NULL).
                    unwanted := array_to_string(ARRAY(SELECT quote_literal(x) FROM unnest(arm.negated) x), ' | ')::tsquery;
                    group_bits := depository_with_bits(group_bits, depository_matching_ids(
                        CASE WHEN arm.i = 1 THEN unwanted END, CASE WHEN arm.i = 2 THEN unwanted END,
                        CASE WHEN arm.i = 3 THEN unwanted END, CASE WHEN arm.i = 4 THEN unwanted END,
                        CASE WHEN arm.i = 5 THEN unwanted END, false), 0);
                END IF;
            END IF;
            bits := bits | group_bits;
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
