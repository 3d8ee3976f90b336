-- Freshness (issue 22, finding 7): an entry's `updated_at` moves whenever anything its pages, the API,
-- the feed, the sitemap or its OAI-PMH record show changes, in the same transaction, whatever wrote it
-- (admin, services, imports, bulk updates). Last-Modified, OAI datestamps, the feed's <updated> and the
-- sitemap's <lastmod> all read `updated_at`, so one mechanism keeps them all true.
--
-- Statement triggers over transition tables (set-based: one UPDATE per statement, however many rows),
-- as depository/search/sql/search_v1.sql queues entries for the search index.

-- TG_ARGV: SQL statements over the transition tables (new_rows / old_rows), each giving entry ids.
-- GREATEST: never backwards (PostgreSQL's now() is the transaction's start, which can be earlier than
-- the updated_at Django wrote a moment ago in the same transaction).
-- The ids are deduplicated first and joined: a transition table has no statistics, and with `id IN
-- (SELECT ... FROM new_rows)` the planner chose a nested loop of every entry against every row (a
-- 100,000-row COPY of tags over 20,000 fresh entries took 161 s in this trigger; joined, 0.4 s).
CREATE OR REPLACE FUNCTION depository_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'UPDATE depository_entry e SET updated_at = GREATEST(e.updated_at, clock_timestamp()) '
        || 'FROM (SELECT DISTINCT s.id::bigint AS id FROM (' || array_to_string(TG_ARGV, ' UNION ALL ')
        || ') s(id) WHERE s.id IS NOT NULL) k WHERE e.id = k.id';
    RETURN NULL;
END $$;

-- A statement trigger `touch_<name>` on `tbl` for `event` (INSERT, UPDATE or DELETE) touching the
-- entries `sources` give. For UPDATE, `changed_rows` is available: new_rows whose row differs from its
-- old one (an update that changes nothing, like a save of an unchanged form, touches nothing).
CREATE OR REPLACE FUNCTION depository_touch_watch(name text, tbl text, event text, VARIADIC sources text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    changed text := format('(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n IS DISTINCT FROM o) AS changed_rows');
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER %s ON %I REFERENCING %s FOR EACH STATEMENT '
                   'EXECUTE FUNCTION depository_touch(%s)',
        'touch_' || name, event, tbl,
        CASE event WHEN 'INSERT' THEN 'NEW TABLE AS new_rows' WHEN 'DELETE' THEN 'OLD TABLE AS old_rows'
                   ELSE 'OLD TABLE AS old_rows NEW TABLE AS new_rows' END,
        (SELECT string_agg(quote_literal(replace(source, 'changed_rows', changed)), ', ') FROM unnest(sources) source));
END $$;

-- What an entry shows from rows of other tables: its creators, its files, its terms and tags.
SELECT depository_touch_watch(w.name || '_' || lower(e.event), w.tbl, e.event, VARIADIC CASE e.event
        WHEN 'INSERT' THEN ARRAY[format(w.ids, 'new_rows')]
        WHEN 'DELETE' THEN ARRAY[format(w.ids, 'old_rows')]
        ELSE ARRAY[format(w.ids, 'new_rows'), format(w.ids, 'old_rows')] END)
FROM (VALUES
    ('creator', 'depository_creator', 'SELECT entry_id FROM %s'),
    ('entry_themes', 'depository_entry_themes', 'SELECT entry_id FROM %s'),
    ('entry_city_types', 'depository_entry_city_types', 'SELECT entry_id FROM %s'),
    ('entry_violence_types', 'depository_entry_violence_types', 'SELECT entry_id FROM %s'),
    ('entry_cities', 'depository_entry_cities', 'SELECT entry_id FROM %s'),
    ('taggeditem', 'taggit_taggeditem', 'SELECT object_id FROM %s WHERE content_type_id = (SELECT id FROM '
        'django_content_type WHERE app_label = ''depository'' AND model = ''entry'')')
) w(name, tbl, ids) CROSS JOIN (VALUES ('INSERT'), ('UPDATE'), ('DELETE')) e(event);

-- Files: added, removed, or changed in what is shown (publicity, name, type, size, pages, the file),
-- not the extraction's progress (status, text, errors), which no public page shows.
SELECT depository_touch_watch('attachment_insert', 'depository_attachment', 'INSERT', 'SELECT entry_id FROM new_rows');
SELECT depository_touch_watch('attachment_delete', 'depository_attachment', 'DELETE', 'SELECT entry_id FROM old_rows');
SELECT depository_touch_watch('attachment_update', 'depository_attachment', 'UPDATE',
    'SELECT unnest(ARRAY[n.entry_id, o.entry_id]) FROM new_rows n JOIN old_rows o ON o.id = n.id '
    'WHERE (n.is_public, n.original_name, n.content_type, n.size, n.page_count, n.file, n.entry_id) '
    'IS DISTINCT FROM (o.is_public, o.original_name, o.content_type, o.size, o.page_count, o.file, o.entry_id)');

-- A linked person's disclosure or name changed: the entries that credit them.
SELECT depository_touch_watch('person_update', 'meetings_person', 'UPDATE',
    'SELECT entry_id FROM depository_creator WHERE person_id IN (SELECT id FROM changed_rows)');

-- A term renamed (in any language), re-parented or moved to another country; a tag renamed, or made
-- internal or public again: the entries that show its name (a parent theme's sets hold its children's).
SELECT depository_touch_watch(w.name, w.tbl, w.event, w.ids) FROM (VALUES
    ('theme_update', 'depository_theme', 'UPDATE', 'SELECT et.entry_id FROM depository_entry_themes et '
        'JOIN depository_theme th ON th.id = et.theme_id WHERE th.id IN (SELECT id FROM changed_rows) '
        'OR th.parent_id IN (SELECT id FROM changed_rows)'),
    ('citytype_update', 'depository_citytype', 'UPDATE', 'SELECT entry_id FROM depository_entry_city_types '
        'WHERE citytype_id IN (SELECT id FROM changed_rows)'),
    ('violencetype_update', 'depository_violencetype', 'UPDATE', 'SELECT entry_id FROM '
        'depository_entry_violence_types WHERE violencetype_id IN (SELECT id FROM changed_rows)'),
    ('city_update', 'depository_city', 'UPDATE', 'SELECT entry_id FROM depository_entry_cities '
        'WHERE city_id IN (SELECT id FROM changed_rows)'),
    ('tag_update', 'taggit_tag', 'UPDATE', 'SELECT object_id FROM taggit_taggeditem '
        'WHERE tag_id IN (SELECT id FROM changed_rows) AND content_type_id = (SELECT id FROM django_content_type WHERE app_label = ''depository'' AND model = ''entry'')'),
    ('internaltag_insert', 'depository_internaltag', 'INSERT', 'SELECT object_id FROM taggit_taggeditem '
        'WHERE tag_id IN (SELECT tag_id FROM new_rows) AND content_type_id = (SELECT id FROM django_content_type WHERE app_label = ''depository'' AND model = ''entry'')'),
    ('internaltag_delete', 'depository_internaltag', 'DELETE', 'SELECT object_id FROM taggit_taggeditem '
        'WHERE tag_id IN (SELECT tag_id FROM old_rows) AND content_type_id = (SELECT id FROM django_content_type WHERE app_label = ''depository'' AND model = ''entry'')')
) w(name, tbl, event, ids);
