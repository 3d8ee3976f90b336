-- The depository's search index (issue 23): depository_any_word written so that PostgreSQL inlines it.
-- Installed by migration 0045_any_word_inlined, which reads the function by name; search_v5.sql keeps
-- the version this replaces (the same answers).
--
-- PostgreSQL inlines a SQL function into the statement that calls it only if each argument used more
-- than once in its body is cheap to compute again. search_v5.sql's body named `querytree(q)` twice,
-- and the page statement passes `websearch_to_tsquery(...)`, which is not cheap: the function was
-- called as a statement of its own, its body parsed and planned again at each execution of the page
-- statement, once for each language of the page's rows (depository_any_word_of_weight_b, sql/
-- search_v9.sql, calls it; a profile of the page statement put 10% of its time under fmgr_sql). Here
-- `q` is named once: `kidnapping`'s page statement 0.88 to 0.77 ms at 100,000 entries, replayed after
-- a page served (medians of 300, the two taking turns; bench/anchor_notes.md). A test reads each
-- search statement's generic plan and finds no call of any of the search's SQL functions.

-- The query's positive words, any of them (search_v5.sql says why): NULL when the query tree is
-- empty ('': only stop words) or trivially true ('T': only negated words).
CREATE OR REPLACE FUNCTION depository_any_word(q tsquery) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT regexp_replace(nullif(nullif(querytree(q), ''), 'T'), '&|<[0-9]+>|<->', '|', 'g')::tsquery
$$;
