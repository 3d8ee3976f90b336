-- The rebuild of the depository's search index (issue 23): it writes only what it corrects. The two
-- functions of `manage.py rebuild_search_index` are here; everything else stays as search_v1.sql,
-- search_v2.sql, search_terms.sql and search_documents_v3.sql install it. Installed by migration
-- 0033_rebuild_without_dead_rows.
--
-- Before, `manage.py rebuild_search_index` deleted every facet row and every entry's record and
-- wrote them again: at 100,000 entries, 100,000 dead rows in depository_entrypostings (and every
-- facet row's 12.5 kB bit string dead in its TOAST table) after each rebuild, though nearly always
-- nothing had changed. Now the rows are computed from the entries and compared with the stored
-- ones; only a row that differs is updated, inserted or deleted (an up-to-date index: nothing
-- written, no dead row). Still one transaction: readers see the old rows until it commits.

-- Every facet row and every entry's record (depository_entrypostings) as the entries give them, in
-- one statement:
--   pairs:   (facet, value, entry) of every entry (depository_facet_values);
--   created: values without a row get one, written whole (and the two rows a search starts from,
--            empty, if they are missing);
--   v:       (row id, entry) of every entry: the (facet, value) texts are joined to the rows' ids
--            once, and everything after groups integers (1,250,000 pairs at 100,000 entries);
--   wanted:  each existing row's sorted entry ids and bit string; the two rows a search starts from
--            are wanted even when empty;
--   gone:    rows no entry has any more (the empty rows the upkeep leaves) are deleted;
--   changed: rows whose ids, size or bit string differ are updated;
--   records: each entry's rows' ids, written where they differ; a deleted entry's record is deleted.
-- The bit strings keep the common length (depository_bit_length: it grows with the largest id, never
-- shrinks, and pads the term rows, which searches AND with these; the delete-and-rewrite rebuild
-- shortened the facet rows after the last entries were deleted, and left the term rows longer).
--
-- Concurrent writers: the lock (which readers' ACCESS SHARE does not conflict with) makes the
-- change queue's flush of any other transaction wait for this one to commit, and this one wait for
-- the flushes already writing. Without it, an entry changed while the rebuild ran could keep its old
-- facet rows: its flush's difference was applied to rows the rebuild then overwrote from a snapshot
-- without the change (tests/test_search_rebuild.py). Taken first, in the order the flush takes the
-- tables (facet rows, then records), so the two cannot deadlock.
--
-- Planner settings: called with every id, depository_facet_values's joins to `ids` are estimated at
-- 10 rows and planned as nested loops of index probes (one per entry and facet): hash joins over the
-- whole tables instead. work_mem as depository_search_rebuild_terms has it (one connection, for
-- seconds). Measured at 100,000 entries of the anchor corpus on the loaded 2-core machine (backend CPU
-- seconds, medians of 5 alternated runs in rolled-back transactions): 9.4 s before (delete and
-- rewrite), 7.1 s grouping by text, 6.8 s as here; JIT compiled 260 functions for nothing (8.5 s).
CREATE OR REPLACE FUNCTION depository_search_rebuild_facets() RETURNS void LANGUAGE plpgsql
SET enable_nestloop = off SET jit = off SET work_mem = '256MB'
AS $$
DECLARE
    every_id bigint[];
    bit_size integer;
BEGIN
    -- A new generation first (sql/search_v3.sql: the counts' cache then counts again), taken before the
    -- lock, in the order a flush takes them (the generation row, then the facet rows): no deadlock.
    PERFORM depository_search_bump();
    LOCK TABLE depository_facetposting, depository_entrypostings IN SHARE ROW EXCLUSIVE MODE;
    every_id := ARRAY(SELECT id FROM depository_entry ORDER BY id);
    bit_size := greatest(depository_bit_length(every_id[cardinality(every_id)]::integer),
        (SELECT max(length(entry_bits)) FROM depository_termposting));
    WITH pairs AS MATERIALIZED (
        -- An entry with a sub-theme and its parent has the parent's value twice (DISTINCT in v).
        SELECT f.facet, f.value, f.entry_id FROM depository_facet_values(every_id) f
    ), known AS MATERIALIZED (
        -- Every CTE reads the table as it was before this statement: the rows there were.
        SELECT p.id, p.facet, p.value FROM depository_facetposting p
    ), created AS (
        INSERT INTO depository_facetposting (facet, value, entry_ids, entry_bits, size)
        SELECT n.facet, n.value, n.ids, depository_bits(n.ids, bit_size), cardinality(n.ids) FROM (
            SELECT pr.facet, pr.value, uniq(sort(array_agg(pr.entry_id))) AS ids FROM pairs pr
            WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.facet = pr.facet AND k.value = pr.value)
            GROUP BY pr.facet, pr.value
            UNION ALL
            SELECT b.facet, b.value, '{}'::integer[] FROM (VALUES ('', ''), ('status', 'published')) b(facet, value)
            WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.facet = b.facet AND k.value = b.value)
              AND NOT EXISTS (SELECT 1 FROM pairs pr WHERE pr.facet = b.facet AND pr.value = b.value)
        ) n
        RETURNING id, facet, value
    ), v AS MATERIALIZED (
        SELECT DISTINCT p.id::integer AS posting_id, pr.entry_id
        FROM pairs pr JOIN (SELECT id, facet, value FROM known UNION ALL SELECT id, facet, value FROM created) p
             ON p.facet = pr.facet AND p.value = pr.value
    ), wanted AS MATERIALIZED (
        SELECT w.id, w.ids, depository_bits(w.ids, bit_size) AS bits FROM (
            SELECT k.id, coalesce(g.ids, '{}'::integer[]) AS ids
            FROM known k LEFT JOIN (SELECT posting_id, sort(array_agg(entry_id)) AS ids FROM v GROUP BY posting_id) g
                 ON g.posting_id = k.id
            WHERE g.posting_id IS NOT NULL OR (k.facet, k.value) IN (('', ''), ('status', 'published'))
        ) w
    ), gone AS (
        DELETE FROM depository_facetposting p WHERE NOT EXISTS (SELECT 1 FROM wanted w WHERE w.id = p.id)
    ), changed AS (
        UPDATE depository_facetposting p SET entry_ids = w.ids, entry_bits = w.bits, size = cardinality(w.ids)
        FROM wanted w
        WHERE p.id = w.id AND (p.entry_ids, p.entry_bits, p.size) IS DISTINCT FROM (w.ids, w.bits, cardinality(w.ids))
    ), records AS MATERIALIZED (
        SELECT entry_id, sort(array_agg(posting_id)) AS posting_ids FROM v GROUP BY entry_id
    ), recorded AS (
        UPDATE depository_entrypostings r SET posting_ids = x.posting_ids
        FROM records x WHERE r.entry_id = x.entry_id AND r.posting_ids IS DISTINCT FROM x.posting_ids
    ), recorded_new AS (
        INSERT INTO depository_entrypostings (entry_id, posting_ids)
        SELECT x.entry_id, x.posting_ids FROM records x
        WHERE NOT EXISTS (SELECT 1 FROM depository_entrypostings r WHERE r.entry_id = x.entry_id)
    )
    -- Every entry has the row ('', ''), so `records` names every entry: any other record is a deleted one's.
    DELETE FROM depository_entrypostings r WHERE NOT EXISTS (SELECT 1 FROM records x WHERE x.entry_id = r.entry_id);
    -- Documents of entries that no longer exist (a flush deletes them; rows restored by hand may not).
    DELETE FROM depository_entrysearchdocument d WHERE NOT EXISTS (SELECT 1 FROM depository_entry e WHERE e.id = d.entry_id);
END $$;

-- The search documents of these entries as the entries give them now (a rebuild's chunk, committed on
-- its own): their stored documents are locked first, then computed and written where they differ
-- (depository_search_write_documents, a statement with a snapshot taken after the lock). Without the
-- lock, a curator's save committed while the chunk computed was overwritten with the document from
-- before it: the chunk's upsert waited for the save's row, then wrote what it had computed. Now a
-- flush writing one of these documents has committed before they are computed, and a later one waits
-- for this chunk and writes its own. Rows locked in entry order (the flush's own upsert locks its
-- rows as it writes them, as this one did before): ~65 ms per 10,000 entries, measured at 10,000.
-- A document missing altogether cannot be locked: its entry's save and the chunk then race as before.
CREATE OR REPLACE FUNCTION depository_search_rebuild_documents(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM depository_entrysearchdocument d JOIN unnest(ids) k(id) ON d.entry_id = k.id
    ORDER BY d.entry_id FOR NO KEY UPDATE OF d;
    PERFORM depository_search_write_documents(ids);
END $$;
