-- The depository's search index, version 3 (issue 23): the index's generation. Only what changed is
-- here; everything else stays as search_v1.sql and search_v2.sql install it. Installed by migration
-- 0032 (0032_search_generation), which reads this file by name.
--
-- The generation is one number, in the one row of depository_searchgeneration (a table: durable, and
-- written in the same transaction as the index, so a reader sees the new facet rows and the new
-- generation together, or neither). It changes whenever the facet rows or the vocabulary they are
-- listed with may have changed: every reindex (so every flush of the change queue, at the commit of
-- any write), every rebuild, and the commit of any write to a term table (a theme renamed or added,
-- even one that no entry uses yet: the theme facet lists it). A cache of what a search counted
-- (depository/search/counts_cache.py) is keyed by it, so any such write makes the cached value stale
-- the moment it commits; nothing there is a guess about time.
--
-- The numbers come from a sequence, which a rollback does not give back: a generation names one
-- state only. (A counter incremented in the table would hand the number of a rolled-back transaction
-- to the next one, and a value cached inside the first, from its own uncommitted rows, would be taken
-- for the second's.) Readers take the table's oid with the number (facet_index.GENERATION_SQL): a
-- restore recreates the table and puts the sequence back where the backup had it, so its numbers
-- may come again, never with the same table.

CREATE SEQUENCE IF NOT EXISTS depository_search_generation_seq;

-- A new generation, in the caller's transaction. The row is written, not read-modify-written, so that
-- a second writer waits for the first's commit on the row and then takes the next number.
CREATE OR REPLACE FUNCTION depository_search_bump() RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO depository_searchgeneration (id, value) VALUES (1, nextval('depository_search_generation_seq'))
    ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value
    RETURNING value;
$$;

SELECT depository_search_bump();

-- As in search_v1.sql, with the generation bumped first: a writer takes the generation's row before
-- any facet row, in every path (reindex, rebuild, a term's change at commit), so two writers never
-- wait for each other in opposite orders.
CREATE OR REPLACE FUNCTION depository_search_reindex(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    SELECT depository_search_bump();
    SELECT depository_search_write_documents(ids);
    SELECT depository_search_write_facets(ids);
$$;

-- Every facet row and every entry's record again, from the entries (search_v1.sql), in a new generation.
CREATE OR REPLACE FUNCTION depository_search_rebuild_facets() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM depository_search_bump();
    DELETE FROM depository_facetposting;
    DELETE FROM depository_entrypostings;
    DELETE FROM depository_entrysearchdocument d WHERE NOT EXISTS (SELECT 1 FROM depository_entry e WHERE e.id = d.entry_id);
    PERFORM depository_search_write_facets(ARRAY(SELECT id FROM depository_entry ORDER BY id));
END $$;

-- Take the queued entries and reindex them (a new generation); with none queued but a term changed,
-- only a new generation. Returns how many entries. Called at commit by the deferred triggers (the
-- queue's, search_v1.sql, and the term tables', below), and by depository.search.flush().
CREATE OR REPLACE FUNCTION depository_search_flush() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    taken_ids bigint[];
    terms_changed boolean := current_setting('depository.search_terms_changed', true) = 'on';
BEGIN
    PERFORM set_config('depository.search_pending', 'off', true);
    PERFORM set_config('depository.search_terms_changed', 'off', true);
    IF NOT EXISTS (SELECT 1 FROM depository_searchqueue) THEN
        IF terms_changed THEN
            PERFORM depository_search_bump();
        END IF;
        RETURN 0;  -- also what keeps a read-only replica from writing
    END IF;
    WITH taken AS (DELETE FROM depository_searchqueue RETURNING entry_id)
    SELECT array_agg(entry_id) INTO taken_ids FROM taken;
    PERFORM depository_search_reindex(taken_ids);
    RETURN coalesce(cardinality(taken_ids), 0);
END $$;

-- A statement on a term table: the listing's terms changed (names, slugs, positions, which tags are
-- internal). Flagged now, so that a flush before the commit (depository.search.flush()) sees it too.
CREATE OR REPLACE FUNCTION depository_search_terms_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('depository.search_terms_changed', 'on', true);
    PERFORM set_config('depository.search_pending', 'on', true);
    RETURN NULL;
END $$;

-- The two triggers on a term table `tbl`, where missing: the statement trigger that flags the change,
-- and a deferred one that flushes at commit (the queue's own deferred trigger fires only when an entry
-- was queued; a theme no entry uses queues none). Deferred triggers are row triggers: one event per
-- row written, and the first flushes (depository_search_flush_at_commit, search_v1.sql), the others
-- see the flag off and return. depository/search/facet_values.py calls this for every table a
-- registered facet's terms come from (Facet.terms_tables()).
CREATE OR REPLACE FUNCTION depository_search_watch_terms(tbl text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = tbl::regclass AND tgname = 'search_terms_' || tbl) THEN
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH STATEMENT '
                       'EXECUTE FUNCTION depository_search_terms_changed()', 'search_terms_' || tbl, tbl);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = tbl::regclass AND tgname = 'search_terms_at_commit_' || tbl) THEN
        EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
                       'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION depository_search_flush_at_commit()',
                       'search_terms_at_commit_' || tbl, tbl);
    END IF;
END $$;

-- The term tables of the default facets (depository/facets.py: FACETS).
SELECT depository_search_watch_terms(tbl) FROM (VALUES ('depository_theme'), ('depository_citytype'),
    ('depository_violencetype'), ('depository_city'), ('taggit_tag'), ('depository_internaltag')) t(tbl);
