-- The depository's search index, issue 23: what a page of results asks of the stored documents.
-- Installed by migration 0036_snippet_words, which reads each function by name.
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
