"""The search's statements, planned once per database connection (PREPARE, then EXECUTE): the
counting statement (execute()) and the page of rows (preparing()).

Why: the statement that counts a page's facets (facet_index.count) was one query of ~12 parts and
~10 CTEs; PostgreSQL spent 7-15 ms planning it and 3-10 ms running it (measured at 100,000 entries
of the anchor corpus, issue 12). Django with psycopg2 never prepares statements, so every page paid
the planning. A prepared statement is planned for its first five executions, then PostgreSQL keeps a
generic plan when it costs no more (it did for every benchmark query: 31 generic plans of 36).

One prepared statement per SQL text (the text differs by the facets chosen, the sort, whether there
is a text query, and for the page of rows the page's number: a few dozen shapes), per connection;
at most MAX_PER_CONNECTION, past which statements run unprepared. Behind a pooler in transaction
mode (PgBouncer's `pool_mode = transaction`) a session's prepared statements are not there on the
next transaction: set SEARCH_PREPARED_STATEMENTS = False there (docs/deployment.md).
"""

import hashlib
import re
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet

MAX_PER_CONNECTION = 200

# psycopg2 connection -> the names prepared on it. Weak: a closed connection takes its set along, and
# a reconnection starts empty, as the new server session does.
_prepared = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%(s|%)")


def execute(cursor: CursorWrapper, sql: str, params: list) -> None:
    """Run `sql` (psycopg2 placeholders: %s, and %% for a literal %) with `params` (a list) on
    `cursor` (a Django cursor), prepared on its connection; the results are read from `cursor` as
    after cursor.execute(sql, params). One statement as Django counts them, whether it prepares or
    not. Raises what cursor.execute raises."""
    statement, arguments, prepared = _as_prepared(cursor.cursor.connection, sql, params, "twg_search_")
    try:
        cursor.execute(statement, arguments)
    except Exception:
        _failed(cursor.cursor.connection, prepared)
        raise
    _done(cursor.cursor.connection, prepared)


@contextmanager
def preparing(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Within this block, each statement the ORM runs on `connection` (a Django connection) is
    prepared as execute() prepares one: a queryset evaluated here is planned once per connection and
    SQL text. For statements whose text repeats (the browse page's page of rows: the same text for
    every value of one facet, its page number in the text); the ORM still compiles the queryset and
    reads its rows. The page statement of a one-facet page took ~0.5 ms to plan and ~0.8 ms to run at
    100,000 entries (EXPLAIN ANALYZE, issue 23)."""

    def prepare(execute, sql, params, many, context):
        if many or not context["connection"].connection:
            return execute(sql, params, many, context)
        raw = context["connection"].connection
        statement, arguments, prepared = _as_prepared(raw, sql, list(params or ()), "twg_page_")
        try:
            result = execute(statement, arguments, many, context)
        except Exception:
            _failed(raw, prepared)
            raise
        _done(raw, prepared)
        return result

    with connection.execute_wrapper(prepare):
        yield


class PreparedRows(Sequence):
    """The rows of `queryset`, read at their first use (len, index, iteration) with its statement
    prepared (preparing()); never read if nothing asks (a feed reads the search's matches, not its
    page). `then`, if given, is called with the list of rows once read (to complete them)."""

    def __init__(self, queryset: QuerySet, then: Callable[[list], None] | None = None):
        self.queryset = queryset
        self.then = then

    @cached_property
    def rows(self) -> list:
        with preparing(connections[self.queryset.db]):
            rows = list(self.queryset)
        if self.then is not None:
            self.then(rows)
        return rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        return self.rows[index]

    def __iter__(self):
        return iter(self.rows)


def _as_prepared(raw, sql, params, prefix):
    """(statement, its parameters, the name it prepares or None) to run `sql` with `params` on the
    psycopg2 connection `raw` (the statement's name: `prefix` and a hash of `sql`): EXECUTE of the
    statement prepared for this SQL text, PREPARE then EXECUTE in one round trip the first time, or
    `sql` itself where nothing is prepared."""
    names = _prepared.setdefault(raw, set())  # None once a PREPARE failed on this connection
    if not settings.SEARCH_PREPARED_STATEMENTS or names is None or len(names) >= MAX_PER_CONNECTION:
        return sql, params, None
    name = prefix + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:24]
    arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
    if name in names:
        return f"EXECUTE {name}{arguments}", params, None
    numbers = iter(range(1, len(params) + 1))
    parameterized = _PLACEHOLDER.sub(lambda m: "%%" if m.group(1) == "%" else f"${next(numbers)}", sql)
    # One round trip; the PREPARE stays with the session even if the transaction is rolled back.
    return f"PREPARE {name} AS {parameterized}; EXECUTE {name}{arguments}", params, name


def _done(raw, prepared):
    if prepared:
        names = _prepared.get(raw)
        if names is not None:
            names.add(prepared)


def _failed(raw, prepared):
    if prepared:
        # Whether the PREPARE took is unknown: this connection prepares nothing more.
        _prepared[raw] = None
