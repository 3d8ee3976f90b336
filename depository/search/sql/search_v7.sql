-- The depository's search index, issue 23: a search with negated words or phrases (`youth -gangs`,
-- the browse form's own example; `youth -"armed gangs"`) answered from term rows too. Installed by
-- migration 0039_negated_words, which reads each function by name; search_v6.sql and search_v5.sql
-- keep the versions these replace.
--
-- Before, any query but a plain conjunction went to the GIN index in every language group, and a
-- frequent word read its thousands of matches there: depository_matching took 96 ms for
-- `youth -gangs` and 64 ms for `safe -drugs` at 100,000 entries, against ~1 ms for `youth` alone from
-- its term row; a negated phrase made the GIN index recheck every document of the words (a phrase
-- needs the positions): `youth -"armed gangs"` 1.6 s. A negated item removes entries, it never adds
-- one, so the group's matches are the AND of its words' term rows with the entries of the negated
-- items taken out: negated words by their term rows, or, for a word without one, by the GIN index's
-- matches of the words and that word; negated phrases by the GIN index's matches of the words AND
-- any of the phrases, so that only the documents holding all those words are rechecked.
--
-- A query's shape as these functions read it: a conjunction of items, each a word ('w'), a negated
-- word (!'w') or a negated phrase (!( 'a' <-> 'b' ), with <N> where stop words were), at least one
-- item a word. The lexemes' characters are those the parser puts in a word: no quote, backslash,
-- space, `&`, `!`, parenthesis or angle bracket, so the text can be cut at those.

-- The words not negated, each once, sorted; '{}' for an empty parse; NULL for any other shape (an
-- OR, a phrase not negated, a prefix, only negated items), which goes to the GIN index. Inlined by
-- PostgreSQL (no sub-select: search_v6.sql).
CREATE OR REPLACE FUNCTION depository_query_lexemes(q tsquery) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN q IS NULL THEN NULL
        WHEN q::text = '' THEN '{}'::text[]
        WHEN q::text ~ '^(!?''[^''\\ &!()<>]+''|!\( ''[^''\\ &!()<>]+''( <(-|[0-9]+)> ''[^''\\ &!()<>]+'')+ \))( & (!?''[^''\\ &!()<>]+''|!\( ''[^''\\ &!()<>]+''( <(-|[0-9]+)> ''[^''\\ &!()<>]+'')+ \)))*$'
             AND q::text ~ '(^|& )'''
            THEN tsvector_to_array(array_to_tsvector(string_to_array(btrim(
                regexp_replace(regexp_replace(q::text, '!(''[^'']+''|\([^)]*\))', '', 'g'), '[ &]+', ' ', 'g'),
                ' '''), ''' ''')))
    END
$$;

-- The negated words of such a query (not those of a negated phrase), each once, sorted; '{}' when no
-- word is negated (and for any query without a negation); NULL for any other shape.
CREATE OR REPLACE FUNCTION depository_query_negated(q tsquery) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN q IS NULL THEN NULL
        -- Nothing negated, whatever the shape: a rare word's search does not read the text further.
        WHEN position('!' IN q::text) = 0 THEN '{}'::text[]
        WHEN depository_query_lexemes(q) IS NULL THEN NULL
        ELSE tsvector_to_array(array_to_tsvector(string_to_array(btrim(
            regexp_replace(regexp_replace(q::text, '(^|& )''[^'']+''|!\([^)]*\)', '', 'g'), '[ &!]+', ' ', 'g'),
            ' '''), ''' ''')))
    END
$$;

-- The entries to take out of such a query's words' matches for its negated phrases, as a query: the
-- words not negated AND any of the phrases (`'youth' & 'arm' <-> 'gang'`), so that its GIN match
-- rechecks only the documents with the words and the phrases' words. NULL when no phrase is negated,
-- or for any other shape.
-- STABLE, not IMMUTABLE: array_to_string is declared STABLE (an element's output may read settings),
-- and PostgreSQL inlines an IMMUTABLE function only if everything in it is immutable; not inlined, each
-- call ran as a statement of its own (~30 us, five a search).
CREATE OR REPLACE FUNCTION depository_query_unwanted(q tsquery) RETURNS tsquery
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN q IS NULL OR position('!(' IN q::text) = 0 THEN NULL
        WHEN depository_query_lexemes(q) IS NULL THEN NULL
        ELSE ('( ''' || array_to_string(depository_query_lexemes(q), ''' & ''') || ''' ) & ( '
              || btrim(regexp_replace(regexp_replace(q::text, '(^|& )!?''[^'']+''', '', 'g'), '( & )?!', ' | ', 'g'), ' |')
              || ' )')::tsquery
    END
$$;

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
