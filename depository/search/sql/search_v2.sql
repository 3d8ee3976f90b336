-- The depository's search index, version 2 (issue 12, the 30 ms save and the rare word): the facet
-- rows follow an entry's changes by difference, and a few ids become bits one by one. Installed by migration 0021 after search_v1.sql, whose other
-- functions stay as they are; this file replaces, from version 1, depository_search_write_facets and
-- depository_search_rebuild_facets, and adds depository_with_bits.
--
-- Why: version 1 found the facet rows an entry was in by testing every row's id array
-- (`entry_ids && ids`), reading all of them (~6 MB at 100,000 entries) to save one title; measured
-- at 100,000 entries, that was most of the 36 ms a save spent on search. Each entry's facet rows are
-- now recorded in depository_entrypostings (depository.models.EntryPostings), so a save compares the
-- entry's facet values now with what was recorded, and touches only the rows that gain or lose it:
-- none when a title changes.

-- `bits` with the bits of `ids` set to `to_value` (0 or 1): one set_bit per id for a few ids, one mask
-- for many (building a mask writes every 32-bit word of the string: ~1.5 ms at 100,000 entries, while
-- each set_bit copies the string once, ~5 us; the two cross near 256 ids).
CREATE OR REPLACE FUNCTION depository_with_bits(bits bit varying, ids integer[], to_value integer) RETURNS bit varying
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    id integer;
BEGIN
    IF cardinality(ids) > 256 THEN
        RETURN CASE WHEN to_value = 1 THEN bits | depository_bits(ids, length(bits))
                    ELSE bits & ~depository_bits(ids, length(bits)) END;
    END IF;
    FOREACH id IN ARRAY coalesce(ids, '{}') LOOP
        IF id >= 1 AND id <= length(bits) THEN
            bits := set_bit(bits, id - 1, to_value);
        END IF;
    END LOOP;
    RETURN bits;
END $$;

-- Bring the facet rows up to date with these entries (deleted ones leave every row), in one
-- statement whatever their number:
--   now:     each entry's facet values as they are (depository_facet_values), with their row's id;
--   created: values no row holds yet get a row, with their entries;
--   was:     each entry's rows as recorded in depository_entrypostings;
--   changes: per existing row, the entries it gains (now, not was) and loses (was, not now);
-- then each changed row gets its entries by difference, and the record follows. A row neither gains
-- nor loses anyone is not written (no dead row for nothing). The difference is applied to the row as
-- it is when locked, so two transactions changing different entries of one row both count.
CREATE OR REPLACE FUNCTION depository_search_write_facets(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    int_ids integer[] := ARRAY(SELECT DISTINCT i::integer FROM unnest(ids) i WHERE i IS NOT NULL ORDER BY 1);
    bit_size integer;
BEGIN
    IF cardinality(int_ids) = 0 THEN
        RETURN;
    END IF;
    bit_size := depository_bit_length(int_ids[cardinality(int_ids)]);
    WITH now AS MATERIALIZED (
        -- DISTINCT: an entry with a sub-theme and its parent has the parent's value twice.
        SELECT DISTINCT f.facet, f.value, f.entry_id, p.id::integer AS posting_id
        FROM depository_facet_values(ids) f
        LEFT JOIN depository_facetposting p ON p.facet = f.facet AND p.value = f.value
    ), created AS (
        INSERT INTO depository_facetposting AS p (facet, value, entry_ids, entry_bits, size)
        SELECT n.facet, n.value, n.ids, depository_bits(n.ids, bit_size), icount(n.ids)
        FROM (SELECT facet, value, sort(array_agg(entry_id)) AS ids FROM now
              WHERE posting_id IS NULL GROUP BY facet, value) n
        -- A value another transaction gave a row meanwhile: these entries join it.
        ON CONFLICT (facet, value) DO UPDATE
        SET entry_ids = p.entry_ids | EXCLUDED.entry_ids, entry_bits = p.entry_bits | EXCLUDED.entry_bits,
            size = icount(p.entry_ids | EXCLUDED.entry_ids)
        RETURNING p.id, p.facet, p.value
    ), kept AS (
        SELECT entry_id, posting_id FROM now WHERE posting_id IS NOT NULL
        UNION ALL
        SELECT n.entry_id, c.id::integer FROM now n JOIN created c ON c.facet = n.facet AND c.value = n.value
    ), was AS MATERIALIZED (
        SELECT r.entry_id::integer AS entry_id, w.posting_id
        FROM unnest(int_ids) k(id) JOIN depository_entrypostings r ON r.entry_id = k.id
        CROSS JOIN LATERAL unnest(r.posting_ids) w(posting_id)
    ), changes AS (
        SELECT coalesce(n.posting_id, w.posting_id) AS posting_id,
               coalesce(sort(array_agg(n.entry_id) FILTER (WHERE w.entry_id IS NULL)), '{}') AS added,
               coalesce(sort(array_agg(w.entry_id) FILTER (WHERE n.entry_id IS NULL)), '{}') AS removed
        FROM (SELECT entry_id, posting_id FROM now WHERE posting_id IS NOT NULL) n
        FULL JOIN was w ON w.entry_id = n.entry_id AND w.posting_id = n.posting_id
        WHERE n.entry_id IS NULL OR w.entry_id IS NULL
        GROUP BY 1
    ), changed AS (
        UPDATE depository_facetposting p
        SET entry_ids = (p.entry_ids - c.removed) | c.added,
            entry_bits = depository_with_bits(depository_with_bits(p.entry_bits, c.removed, 0), c.added, 1),
            -- What is added was not in the row, what is removed was: the record says so.
            size = p.size + cardinality(c.added) - cardinality(c.removed)
        FROM changes c WHERE p.id = c.posting_id
    ), recorded AS (
        INSERT INTO depository_entrypostings AS r (entry_id, posting_ids)
        SELECT entry_id, sort(array_agg(posting_id)) FROM kept GROUP BY entry_id
        ON CONFLICT (entry_id) DO UPDATE SET posting_ids = EXCLUDED.posting_ids
        WHERE r.posting_ids IS DISTINCT FROM EXCLUDED.posting_ids
    )
    -- An entry that no longer exists has no facet value, not even ('', ''): its record goes.
    DELETE FROM depository_entrypostings r USING unnest(int_ids) k(id)
    WHERE r.entry_id = k.id AND NOT EXISTS (SELECT 1 FROM depository_entry e WHERE e.id = k.id);
    -- The rows a search starts from exist even when empty.
    INSERT INTO depository_facetposting (facet, value, entry_ids, entry_bits, size)
    VALUES ('', '', '{}', repeat('0', bit_size)::bit varying, 0),
           ('status', 'published', '{}', repeat('0', bit_size)::bit varying, 0)
    ON CONFLICT (facet, value) DO NOTHING;
END $$;

-- Every facet row and every entry's record again, from the entries. DELETE rather than TRUNCATE:
-- readers keep reading the old rows until this commits.
CREATE OR REPLACE FUNCTION depository_search_rebuild_facets() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM depository_facetposting;
    DELETE FROM depository_entrypostings;
    DELETE FROM depository_entrysearchdocument d WHERE NOT EXISTS (SELECT 1 FROM depository_entry e WHERE e.id = d.entry_id);
    PERFORM depository_search_write_facets(ARRAY(SELECT id FROM depository_entry ORDER BY id));
END $$;
