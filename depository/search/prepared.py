"""The search's counting statement, planned once per database connection (PREPARE, then EXECUTE).

Why: the statement that counts a page's facets (facet_index.count) is one query of ~12 parts and
~10 CTEs; PostgreSQL spent 7-15 ms planning it and 3-10 ms running it (measured at 100,000 entries
of the anchor corpus, issue 12). Django with psycopg2 never prepares statements, so every page paid
the planning. A prepared statement is planned for its first five executions, then PostgreSQL keeps a
generic plan when it costs no more (it did for every benchmark query: 31 generic plans of 36).

One prepared statement per SQL text (the text differs by the facets chosen, the sort, and whether
there is a text query: a few dozen shapes), per connection; at most MAX_PER_CONNECTION, past which
statements run unprepared. Behind a pooler in transaction mode (PgBouncer's `pool_mode =
transaction`) a session's prepared statements are not there on the next transaction: set
SEARCH_PREPARED_STATEMENTS = False there (docs/deployment.md).
"""

import hashlib
import re
import weakref

from django.conf import settings
from django.db.backends.utils import CursorWrapper

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
    raw = cursor.cursor.connection
    names = _prepared.setdefault(raw, set())  # None once a PREPARE failed on this connection
    if not settings.SEARCH_PREPARED_STATEMENTS or names is None or len(names) >= MAX_PER_CONNECTION:
        cursor.execute(sql, params)
        return
    name = "twg_search_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:24]
    arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
    if name in names:
        cursor.execute(f"EXECUTE {name}{arguments}", params)
        return
    numbers = iter(range(1, len(params) + 1))
    parameterized = _PLACEHOLDER.sub(lambda m: "%%" if m.group(1) == "%" else f"${next(numbers)}", sql)
    try:
        # One round trip; the PREPARE stays with the session even if the transaction is rolled back.
        cursor.execute(f"PREPARE {name} AS {parameterized}; EXECUTE {name}{arguments}", params)
    except Exception:
        # Whether the PREPARE took is unknown: this connection prepares nothing more.
        _prepared[raw] = None
        raise
    names.add(name)
