-- The depository's search index, issue 23: what a rare word's counting statement still spent in
-- depository_matching. Installed by migration 0038_lexemes_inlined, which reads the function by name;
-- search_v5.sql keeps the version this replaces.
--
-- The lexemes of a parsed query when it is a plain conjunction of words, as search_v5.sql's version
-- gives them (the same set, now in sorted order: '{}' for an empty parse, NULL for any other shape),
-- without a sub-select: tsvector_to_array(array_to_tsvector(...)) drops the repeated words in C, where
-- ARRAY(SELECT DISTINCT unnest(...)) did. PostgreSQL does not inline a SQL function whose body holds a
-- sub-select, so each call ran the function's own statement (~20 us), and depository_matching asks it
-- twice for each of the five language groups; inlined, it is an expression of the caller's statement.
CREATE OR REPLACE FUNCTION depository_query_lexemes(q tsquery) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN q IS NULL THEN NULL
        WHEN q::text = '' THEN '{}'::text[]
        WHEN q::text ~ '^''[^''\\]+''( & ''[^''\\]+'')*$'
            THEN tsvector_to_array(array_to_tsvector(string_to_array(btrim(q::text, ''''), ''' & ''')))
    END
$$;
