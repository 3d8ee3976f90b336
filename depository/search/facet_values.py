# ruff: noqa: S608 (the SQL here is built from the code's own table, column and facet names; values are parameters)
"""The facet rows' terms, generated from the facet registry (depository.facets): the SQL function
`depository_facet_values(ids)` that the index's upkeep (sql/search_v1.sql: depository_search_write_facets,
at the commit of every write) reads each entry's facet values from.

search_v1.sql defines the function for the facets of its day; from then on it is generated here, one
arm per registered facet (`Facet.entry_values_sql()`), and installed:
- after `manage.py migrate` (post_migrate, once the depository's migrations are all applied), and by
  `search.rebuild()`;
- when the setting DEPOSITORY_FACETS changes (a test's override_settings), in the caller's transaction.
Only when the installed text differs from the generated one: then the facet rows are brought up to
date from every entry by difference (depository_search_write_facets over every id): a new facet's rows
are created, a removed facet's rows are emptied, other rows are not written. The tables a facet's
values come from get the change queue's statement triggers they lack (Facet.watched()), and the tables
their terms come from the triggers that give the index a new generation when they change
(Facet.terms_tables(), sql/search_v3.sql).

The function stays static SQL (planned like the hand-written one), not a loop over the registry at
run time: the upkeep of a title save costs what it did.
"""

from django.db import connections
from django.db.migrations.loader import MigrationLoader

from depository import facets
from depository.search import counts_cache, facet_terms

FUNCTION = "depository_facet_values"
EVENTS = ("INSERT", "UPDATE", "DELETE")
TRANSITION_TABLES = {"INSERT": ["new_rows"], "DELETE": ["old_rows"], "UPDATE": ["new_rows", "old_rows"]}


def function_body(declared):
    """The body (between the $$) of depository_facet_values for these facets: (facet, value, entry id)
    of the given entries, whatever their status, with the two rows searches start from: ('', '') holds
    every entry (a curator's search), ('status', 'published') the published ones (everyone's)."""
    arms = ["SELECT '', '', e.id::integer FROM e", "SELECT 'status', e.status, e.id::integer FROM e"]
    arms += [
        f"SELECT '{facet.name}', v.value::text, v.entry_id::integer "
        f"FROM ({facet.entry_values_sql()}) v(value, entry_id)"
        for facet in declared
    ]
    union = "\n    UNION ALL ".join(arms)
    return f"""
    -- Generated from the facet registry by depository/search/facet_values.py: edit the declarations.
    -- Joined to the ids, never `= ANY(ids)`: PostgreSQL hashes an ANY only over a constant array, and
    -- a rebuild passes 100,000 ids (a linear search per row would take hours).
    WITH k AS MATERIALIZED (SELECT DISTINCT unnest(ids) AS id),
    e AS MATERIALIZED (SELECT e.* FROM k JOIN depository_entry e ON e.id = k.id)
    {union}
"""


def installed_body(cursor):
    cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s AND pg_function_is_visible(oid)", [FUNCTION])
    row = cursor.fetchone()
    return row[0] if row else None


def _watch(cursor, declared):
    """The change queue's triggers on the tables the facets' values come from, where missing."""
    for facet in declared:
        for table, ids_sql in facet.watched():
            for event in EVENTS:
                cursor.execute(
                    "SELECT 1 FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s",
                    [table, f"search_mark_{table}_{event.lower()}"],
                )
                if cursor.fetchone() is None:
                    sources = [ids_sql % transition for transition in TRANSITION_TABLES[event]]
                    cursor.execute("SELECT depository_search_watch(%s, %s, VARIADIC %s)", [table, event, sources])


def install(using="default", *, fill=True):
    """Install depository_facet_values as the registry declares it, on the database `using`, if the
    installed text differs (and the search's SQL is installed at all: migration 0010). With `fill`,
    then bring every facet row up to date from the entries. Returns whether the function changed."""
    declared = facets.registered()
    body = function_body(declared)
    with connections[using].cursor() as cursor:
        current = installed_body(cursor)
        if current is None:
            return False
        _watch(cursor, declared)
        for table in dict.fromkeys(table for facet in declared for table in facet.terms_tables()):
            cursor.execute("SELECT depository_search_watch_terms(%s)", [table])
        if current == body:
            return False
        # No parameters: the body's own `%` would be taken for placeholders.
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {FUNCTION}(ids bigint[]) "
            f"RETURNS TABLE (facet text, value text, entry_id integer) LANGUAGE sql STABLE AS $${body}$$"
        )
        if fill:
            # A new generation first, as every write of the facet rows takes one (sql/search_v3.sql).
            cursor.execute("SELECT depository_search_bump()")
            cursor.execute("SELECT depository_search_write_facets(ARRAY(SELECT id FROM depository_entry ORDER BY id))")
    return True


def install_after_migrate(sender, using="default", **kwargs):
    """post_migrate: install once every migration of the depository is applied (a database migrated
    to an older state keeps the function of its day: its tables may lack what a facet reads)."""
    loader = MigrationLoader(connections[using])
    leaves = set(loader.graph.leaf_nodes("depository"))
    if leaves <= set(loader.applied_migrations):
        install(using)


def registry_changed(setting, **kwargs):
    """setting_changed: the registry is read again and its function installed (in the transaction of
    the test that overrode DEPOSITORY_FACETS, and rolled back with it)."""
    if setting == "DEPOSITORY_FACETS":
        facets.registered.cache_clear()
        facets.by_name.cache_clear()
        counts_cache.clear()  # their keys do not name the registry
        facet_terms.clear()
        install()
