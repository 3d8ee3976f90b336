"""What a search without words counted, kept in this process until the index's generation changes
(issue 23; docs/search.md, "The counts' cache").

The browse page with no text query and at most one facet chosen (the unfiltered page, its other pages
and sorts, the Atom feed, one theme's page: most of the traffic) counts the same thing for every
visitor of a kind, until the index changes. Its counting statement's answer (the total and the
facets' counted rows; never ranking candidates: a search with words is not cached) is
kept here under (the database, the search's base: public or curator, the page's language: the terms'
labels are in it, the selection), with the index's generation (sql/search_v3.sql: the number and the
generation table's oid, which a restore changes) it was counted at.

- A hit costs one query, the generation's one-row read, in place of the counting statement; the
  value is used only if that generation is the one it was counted at. Any write that changes the
  facet rows or their terms commits a new generation with them, so the next request counts again.
- A miss costs nothing more: the counting statement returns the generation as one more row (same
  statement, same snapshot as the counts).
- A stale entry (the index changed since) costs the generation's read, then the counting statement.

Why one process's memory, not Django's cache: a hit must still read the generation (one query), and
Django's cache would add a read of its own: without REDIS_URL a query of the cache table (the page
would cost 4), with Redis a round trip and an unpickling of the rows (0.16-0.28 ms a get at 10,000
entries, against 0.4-0.8 us here; docs/search.md has the figures). Nothing here has to be shared or
survive: a value is only used under the generation it was counted at, so each process may keep or
forget anything (it counts again). Bounded: MAX_ENTRIES values, the least recently used forgotten.
"""

import threading
from collections import OrderedDict

from core.db_routers import read_connection
from depository.models.translations import active_language
from depository.search import facet_index

# The values kept per process. One is the facets' counted rows: 90 tuples, 12-19 kB of Python objects
# at 10,000 synthetic entries (tracemalloc); at most ~230 rows whatever the number of entries (the
# vocabularies, the years, 40 each of countries, cities and tags), ~50 kB. The pages worth keeping
# are 2 bases x 4 languages x (the unfiltered page + the values of one facet people choose): 256
# keep the busy ones in at most ~13 MB a process.
MAX_ENTRIES = 256

_entries: OrderedDict = OrderedDict()  # key -> (generation, total, rows, derived)
_lock = threading.Lock()


def cacheable(selected: facet_index.Selected, searched: bool) -> bool:
    """Whether a search's counts are kept: no words, and values of at most one facet chosen."""
    return not searched and sum(1 for values in selected.values() if values) <= 1


def counts(selected: facet_index.Selected, base: facet_index.Base) -> tuple[int, dict, dict]:
    """(total, {facet name: [(value, label, place, n)]}, derived) of a search without words, as
    facet_index.count gives them (tuples here), from this process's memory when the index has not
    changed since they were counted. The rows are shared between callers: read them, never change
    them. `derived` is a dict kept with them, for what a caller computes from the rows alone (the
    browse page's facet listing: search._listing) and may keep as long as the rows: it is
    forgotten with them."""
    connection = read_connection()
    key = (
        connection.alias,
        connection.settings_dict["NAME"],  # tests switch the database of one alias (tests/conftest.py)
        base,
        active_language(),
        tuple((name, tuple(sorted(set(values)))) for name, values in selected.items() if values),
    )
    with _lock:
        kept = _entries.get(key)
        if kept is not None:
            _entries.move_to_end(key)
    if kept is not None and kept[0] == current_generation(connection):
        return kept[1], kept[2], kept[3]
    generation, total, counted = facet_index.count_at_generation(selected, base)
    rows = {name: tuple(values) for name, values in counted.items()}
    derived = {}
    if generation is not None:  # no generation row (a table emptied by hand): nothing kept
        with _lock:
            _entries[key] = (generation, total, rows, derived)
            _entries.move_to_end(key)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    return total, rows, derived


def current_generation(connection=None) -> str | None:
    """The index's generation (facet_index.GENERATION_SQL: "<table oid>.<number>") as `connection`
    (the search's read connection) sees it now; None when the row is missing."""
    with (connection or read_connection()).cursor() as cursor:
        cursor.execute(
            f"SELECT {facet_index.GENERATION_SQL} FROM {facet_index.GENERATION} WHERE id = 1"  # noqa: S608 (the code's own SQL)
        )
        row = cursor.fetchone()
    return row[0] if row else None


def clear() -> None:
    """Forget every value (the facet registry changed; a test)."""
    with _lock:
        _entries.clear()
