-- The depository's search index, version 3 (issue 23): a rebuild writes only what it corrects. Only
-- the function that changed is here; everything else stays as search_v1.sql and search_v2.sql
-- install it. Installed by migration 0031_rebuild_without_dead_rows.
--
-- Before, `manage.py rebuild_search_index` deleted every facet row and every entry's record and
-- wrote them again: at 100,000 entries, 100,000 dead rows in depository_entrypostings (and every
-- facet row's 12.5 kB bit string dead in its TOAST table) after each rebuild, though nearly always
-- nothing had changed. Now the rows are computed from the entries and compared with the stored
-- ones; only a row that differs is updated, inserted or deleted (an up-to-date index: nothing
-- written, no dead row). Still one transaction: readers see the old rows until it commits.

-- Every facet row and every entry's record (depository_entrypostings) as the entries give them, in
-- one statement:
--   v:       (facet, value, entry) of every entry (depository_facet_values);
--   wanted:  each value's sorted entry ids and bit string, and the two rows a search starts from
--            (empty when no entry has their value);
--   gone:    rows of values no entry has any more (empty rows the upkeep left) are deleted;
--   changed: rows whose ids, size or bit string differ are updated;
--   created: values without a row get one;
--   records: each entry's facet rows' ids (existing rows' ids, and the created rows'), written where
--            they differ; a record of an entry that no longer exists is deleted.
-- The bit strings are as long as depository_bit_length makes them for the largest id (a rebuild
-- after the last entries were deleted shortens them, as the delete-and-rewrite rebuild did).
--
-- Concurrent writers: the lock (which readers' ACCESS SHARE does not conflict with) makes the
-- change queue's flush of any other transaction wait for this one to commit, and this one wait for
-- the flushes already writing. Without it, an entry changed while the rebuild ran could keep its old
-- facet rows: its flush's difference was applied to rows the rebuild then overwrote from a snapshot
-- without the change. Taken first, in the order the flush takes the tables (facet rows, then
-- records), so the two cannot deadlock.
--
-- Hash joins: called with every id, depository_facet_values's joins to `ids` are estimated at 10
-- rows and planned as nested loops of index probes (one per entry per facet); every id is joined to
-- whole tables here.
CREATE OR REPLACE FUNCTION depository_search_rebuild_facets() RETURNS void LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
DECLARE
    every_id bigint[];
    bit_size integer;
BEGIN
    LOCK TABLE depository_facetposting, depository_entrypostings IN SHARE ROW EXCLUSIVE MODE;
    every_id := ARRAY(SELECT id FROM depository_entry ORDER BY id);
    bit_size := (coalesce(every_id[cardinality(every_id)], 0)::integer / 8192 + 1) * 8192;
    WITH v AS MATERIALIZED (
        -- DISTINCT: an entry with a sub-theme and its parent has the parent's value twice.
        SELECT DISTINCT f.facet, f.value, f.entry_id FROM depository_facet_values(every_id) f
    ), wanted AS MATERIALIZED (
        SELECT w.facet, w.value, w.ids, depository_bits(w.ids, bit_size) AS bits FROM (
            SELECT facet, value, array_agg(entry_id ORDER BY entry_id) AS ids FROM v GROUP BY facet, value
            UNION ALL
            SELECT b.facet, b.value, '{}'::integer[] FROM (VALUES ('', ''), ('status', 'published')) b(facet, value)
            WHERE NOT EXISTS (SELECT 1 FROM v WHERE v.facet = b.facet AND v.value = b.value)
        ) w
    ), gone AS (
        DELETE FROM depository_facetposting p
        WHERE NOT EXISTS (SELECT 1 FROM wanted w WHERE w.facet = p.facet AND w.value = p.value)
    ), changed AS (
        UPDATE depository_facetposting p SET entry_ids = w.ids, entry_bits = w.bits, size = cardinality(w.ids)
        FROM wanted w
        WHERE p.facet = w.facet AND p.value = w.value
          AND (p.entry_ids, p.entry_bits, p.size) IS DISTINCT FROM (w.ids, w.bits, cardinality(w.ids))
    ), created AS (
        INSERT INTO depository_facetposting (facet, value, entry_ids, entry_bits, size)
        SELECT w.facet, w.value, w.ids, w.bits, cardinality(w.ids) FROM wanted w
        WHERE NOT EXISTS (SELECT 1 FROM depository_facetposting p WHERE p.facet = w.facet AND p.value = w.value)
        RETURNING id, facet, value
    ), posting AS (
        -- Every CTE reads the table as it was before this statement: the kept rows' ids, then the new ones.
        SELECT p.id, p.facet, p.value FROM depository_facetposting p
        UNION ALL
        SELECT c.id, c.facet, c.value FROM created c
    ), records AS MATERIALIZED (
        SELECT v.entry_id, array_agg(p.id::integer ORDER BY p.id) AS posting_ids
        FROM v JOIN posting p ON p.facet = v.facet AND p.value = v.value
        GROUP BY v.entry_id
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
