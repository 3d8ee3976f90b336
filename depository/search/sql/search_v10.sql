-- The depository's search index, issue 23: a rarer word's matching without the term rows' loop.
-- Installed by migration 0044_matching_rare_words_first, which reads the function by name;
-- search_v7.sql keeps the version this replaces.
--
-- depository_matching answers each language group from its term rows when every word of the group's
-- parse has one, from the GIN index otherwise (search_terms.sql and search_v7.sql say how). Finding
-- that out was one statement over the five groups (whether each has documents, its lexemes, its term
-- rows, its negated words' term rows), run by a plpgsql loop: for `kidnapping`, whose words have no
-- term row anywhere, ~0.2 ms of the function's ~0.6 before the GIN index was asked at all. A word
-- without a term row in any group is now sent to the GIN index at once, after one probe of the term
-- rows' unique index per word of each group's parse: depository_matching alone 0.70-0.73 to 0.59-0.61 ms at 100,000
-- entries, each replay after a page served as the benchmark's loop runs it (medians of 300, the two
-- taking turns; bench/anchor_notes.md). The answers are the same: the loop, given no term row, sends
-- every group to the GIN index too.

CREATE OR REPLACE FUNCTION depository_matching(q_en tsquery, q_es tsquery, q_fr tsquery, q_ar tsquery,
    q_other tsquery, OUT ids integer[], OUT bits bit varying, OUT title_bits bit varying)
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    gin tsquery[] := ARRAY[NULL, NULL, NULL, NULL, NULL]::tsquery[];
    arm record;
    group_bits bit varying;
    unwanted tsquery;  -- the words and any negated word without a term row
    taken_out tsquery;
    by_gin boolean := false;
    by_terms boolean := false;
BEGIN
    -- Zeros of the facet rows' length, in C (a 100,000-character text cast to bits took ~0.6 ms).
    bits := coalesce((SELECT entry_bits # entry_bits FROM depository_facetposting WHERE facet = '' AND value = ''),
                     ''::bit varying);
    title_bits := bits;
    -- No word of the query has a term row in its group (a rarer word, `kidnapping`): every group goes
    -- to the GIN index, as the loop below would send them, without the loop. Each group's parse is
    -- cut at its quotes, a superset of its lexemes (depository_query_lexemes's, and the negated
    -- words'): a group the loop could answer from term rows has a term row among these pieces, so it
    -- never comes here. One probe of the term rows' unique index per piece (both its columns equal, so
    -- no statistics make it a scan: `lexeme = ANY(pieces)` was planned as a filter over each group's
    -- ~300 rows once the table had been analyzed after writes, 0.8 ms), where the loop's statement
    -- costs ~0.2 ms.
    IF NOT EXISTS (
        SELECT 1 FROM (VALUES ('en', q_en), ('es', q_es), ('fr', q_fr), ('ar', q_ar), ('', q_other)) g(language_group, q)
        CROSS JOIN LATERAL unnest(string_to_array(g.q::text, '''')) w(piece)
        CROSS JOIN LATERAL (SELECT 1 FROM depository_termposting p
                            WHERE p.language = g.language_group AND p.lexeme = w.piece LIMIT 1) t
        WHERE w.piece <> ''
    ) THEN
        ids := depository_matching_ids(q_en, q_es, q_fr, q_ar, q_other, false);
        bits := depository_with_bits(bits, ids, 1);
        title_bits := NULL;
        RETURN;
    END IF;
    -- A group without documents is skipped, as is one whose parse is only stop words (no entry of it
    -- matches).
    FOR arm IN
        SELECT g.i, g.q, w.lexemes, w.negated, w.unwanted, t.found, t.entry_bits, t.title_bits,
               n.found AS negated_found, n.entry_bits AS negated_bits
        FROM (VALUES
            (1, 'en', q_en, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'en')),
            (2, 'es', q_es, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'es')),
            (3, 'fr', q_fr, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'fr')),
            (4, 'ar', q_ar, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = 'ar')),
            (5, '', q_other, EXISTS (SELECT 1 FROM depository_entrysearchdocument WHERE depository_search_group(language) = ''))
        ) g(i, language_group, q, populated)
        CROSS JOIN LATERAL (SELECT depository_query_lexemes(g.q) AS lexemes, depository_query_negated(g.q) AS negated,
                                   depository_query_unwanted(g.q) AS unwanted OFFSET 0) w
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
        unwanted := NULL;
        IF arm.found = cardinality(arm.lexemes) AND length(arm.entry_bits) = length(bits) THEN
            group_bits := arm.entry_bits;
            IF cardinality(arm.negated) > 0 THEN
                IF arm.negated_found = cardinality(arm.negated) AND length(arm.negated_bits) = length(bits) THEN
                    group_bits := group_bits & ~arm.negated_bits;
                ELSE
                    unwanted := ('''' || array_to_string(arm.lexemes, ''' & ''') || ''' & ( '''
                                 || array_to_string(arm.negated, ''' | ''') || ''' )')::tsquery;
                END IF;
            END IF;
            -- The negated phrases (and words without a term row): the GIN index's matches of the words
            -- and any of them, in this group alone (the other groups' queries NULL).
            FOREACH taken_out IN ARRAY ARRAY[unwanted, arm.unwanted] LOOP
                CONTINUE WHEN taken_out IS NULL;
                group_bits := depository_with_bits(group_bits, depository_matching_ids(
                    CASE WHEN arm.i = 1 THEN taken_out END, CASE WHEN arm.i = 2 THEN taken_out END,
                    CASE WHEN arm.i = 3 THEN taken_out END, CASE WHEN arm.i = 4 THEN taken_out END,
                    CASE WHEN arm.i = 5 THEN taken_out END, false), 0);
            END LOOP;
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
