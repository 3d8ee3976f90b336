-- The depository's search index (issue 23): whether a result's snippet can mark a word, asked of its
-- stored document without copying it. Installed by migration 0043_snippet_words_of_weight_b, which
-- reads the function by name.
--
-- Why: the page of results runs ts_headline only for the entries whose summaries, abstract,
-- annotation or names (their search document's weight B, search_documents_v3.sql) hold one of the
-- query's words. That test was `ts_filter(document, '{b}') @@ depository_any_word(q)`: ts_filter
-- builds a new tsvector of the document's B-weighted lexemes for each of the page's 20 rows (a corpus
-- document is ~3.4 kB). A query can ask for a weight itself ('kidnap':B matches a lexeme with a
-- position of weight B, as the filtered document did): `kidnapping`'s page statement 0.74 to 0.70 ms
-- at 100,000 entries (medians of 400, the two taking turns).

-- depository_any_word's query (search_v5.sql: the query's positive words, any of them) with each word
-- restricted to weight B, a prefix word's too ('kidnap':* to 'kidnap':*B). NULL where that one is.
-- A lexeme's text holds no space and ends at its closing quote (a quote inside it is doubled).
CREATE OR REPLACE FUNCTION depository_any_word_of_weight_b(q tsquery) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT regexp_replace(regexp_replace(depository_any_word(q)::text,
        ''':\*( |$)', ''':*B\1', 'g'), '''( |$)', ''':B\1', 'g')::tsquery
$$;
