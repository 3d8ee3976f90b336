"""Read replica (issue 13; docs/deployment.md "Read replica"): the public pages read from a streaming
replica, everything else stays on the primary.

Active only when DATABASE_REPLICA_URL is set (settings add the "replica" alias, the router and the
middleware). The rules, in one place:

- Reads go to the replica only inside a public read-only page (GET or HEAD of the home, about and
  sitemap pages and of everything under /depository/ and /meetings/: `REPLICA_PAGE_NAMES`,
  `REPLICA_PAGE_NAMESPACES`), and only for the content apps (`REPLICA_APPS`). Sessions, users,
  login lockouts, the cache table and tasks are always read on the primary, as are members' pages,
  the admin, `/healthz` and anything outside a view. Every write goes to the primary (a replica refuses writes anyway).
- Read-your-writes: any request other than GET/HEAD/OPTIONS/TRACE sets a signed, timestamped cookie;
  for REPLICA_READ_YOUR_WRITES_SECONDS afterwards that visitor reads everything from the primary.
- Lag and outage: each web worker looks at the replica at most once per REPLICA_CHECK_SECONDS (one
  query on the primary, one on the replica; `check_replica`). A replica that cannot be reached, is
  not a standby, or is more than REPLICA_MAX_LAG_SECONDS behind is not used until a later check finds
  it well. A page whose replica connection fails mid-way is answered again from the primary.

Routing is per request through a context variable that the middleware sets when the view is known
and resets when the response leaves it, so nothing leaks into the next request or into a streamed
response's body (which reads after the middleware returned: from the primary).
"""

import contextlib
import json
import logging
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.signing import BadSignature
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from core.middleware import DATABASE_UNAVAILABLE_ERRORS, database_unavailable_response

logger = logging.getLogger(__name__)

REPLICA_ALIAS = "replica"
# Apps whose tables the public pages show. Anything else (auth, sessions, axes, the cache table,
# django_tasks_db, admin log) is state the portal writes and must read back at once: primary.
REPLICA_APPS = frozenset({"places", "people", "depository", "meetings", "members", "taggit", "contenttypes"})
# Public read-only pages, by URL name or namespace (twg_portal/urls.py). Members' pages, the admin,
# the language switch and /healthz (the load balancer's view of the primary) are not among them.
REPLICA_PAGE_NAMES = frozenset({"home", "about", "sitemap"})
REPLICA_PAGE_NAMESPACES = frozenset({"depository", "meetings"})
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
READ_YOUR_WRITES_COOKIE = "twg_read_primary"
READ_YOUR_WRITES_SALT = "core.db_routers.read-your-writes"

_read_alias = ContextVar("twg_read_alias", default=DEFAULT_DB_ALIAS)
# True while check_replica runs, so that the per-request query counts (debug log) leave it out.
_checking = ContextVar("twg_replica_checking", default=False)


class ReplicaRouter:
    """Django database router: reads of REPLICA_APPS go where the current request's middleware
    decided (the replica or the primary); all writes and migrations go to the primary."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in REPLICA_APPS:
            return _read_alias.get()
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data (the replica is a copy of the primary).
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def read_connection():
    """The connection that raw SQL reading content should use in place of `django.db.connection`:
    the replica inside a public page that reads from it, else the primary."""
    return connections[_read_alias.get()]


@dataclass(frozen=True)
class ReplicaStatus:
    """One look at the replica: `usable`; `lag` in seconds (an upper bound; 0.0 when it had replayed
    everything the primary had written when looked at; None when unknown); `reason` why not usable,
    else ""; `checked_at` on time.monotonic(); `primary_position`: the primary's WAL position (text)
    read by this look, None when the primary did not answer."""

    usable: bool
    lag: float | None
    reason: str
    checked_at: float
    primary_position: str | None = None


_status = None
_status_lock = threading.Lock()


def check_replica(previous=None):
    """Look at the replica now and return a ReplicaStatus. Never raises for a database error.

    The primary's WAL position is read first; a replica that has replayed up to it holds every
    commit made before this look (lag 0). Otherwise the lag is bounded two ways, and the smaller
    bound is taken: the age of the replica's last replayed commit (`pg_last_xact_replay_timestamp`;
    the first commit it misses is newer than that), and, when it has replayed up to the position of
    the `previous` look (a ReplicaStatus), the time since that look (it holds every commit made
    before it). The second bound keeps a replica that is milliseconds behind a quiet primary (whose
    last commit is old) from reading as lagging. These functions are open to any role (PostgreSQL 15
    manual, "System Administration Functions"). A server that is not in recovery is not used: it is
    not the standby we were given (a promoted replica, or a wrong URL).
    """
    checked_at = time.monotonic()
    token = _checking.set(True)
    try:
        try:
            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                cursor.execute("SELECT pg_current_wal_lsn()::text")
                (primary_position,) = cursor.fetchone()
        except DatabaseError as error:
            # The page will meet the same error on the primary and answer 503; do not blame the replica.
            return ReplicaStatus(False, None, f"primary unavailable: {str(error).strip()}", checked_at)
        previous_position = previous.primary_position if previous else None
        try:
            with connections[REPLICA_ALIAS].cursor() as cursor:
                cursor.execute(
                    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
                    " coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false),"
                    " EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8",
                    [primary_position, previous_position],
                )
                in_recovery, caught_up, caught_up_with_previous, replay_age = cursor.fetchone()
        except DatabaseError as error:
            close_quietly(REPLICA_ALIAS)
            return ReplicaStatus(False, None, f"unreachable: {str(error).strip()}", checked_at, primary_position)
    finally:
        _checking.reset(token)

    def status(usable, lag, reason=""):
        return ReplicaStatus(usable, lag, reason, checked_at, primary_position)

    if not in_recovery:
        return status(False, None, "not a standby (pg_is_in_recovery() is false)")
    bounds = [replay_age] if replay_age is not None else []
    if caught_up_with_previous:
        bounds.append(checked_at - previous.checked_at)
    lag = 0.0 if caught_up else min(bounds, default=None)
    if lag is None:
        return status(False, None, "behind the primary and has replayed no commit yet")
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        return status(False, lag, f"lagging {lag:.1f} s (bound {settings.REPLICA_MAX_LAG_SECONDS} s)")
    return status(True, lag)


def replica_status():
    """This worker's latest ReplicaStatus, looked at again when older than REPLICA_CHECK_SECONDS.
    Returns (status, checked): `checked` is True when this call looked. While one thread of the
    worker looks, the others take the previous look rather than wait for it."""
    global _status
    current = _status
    if current and time.monotonic() - current.checked_at < settings.REPLICA_CHECK_SECONDS:
        return current, False
    if not _status_lock.acquire(blocking=current is None):
        return current, False
    try:
        current = _status
        if current and time.monotonic() - current.checked_at < settings.REPLICA_CHECK_SECONDS:
            return current, False
        new = check_replica(previous=current)
        _status = new
    finally:
        _status_lock.release()
    if current is None or current.usable != new.usable:
        if new.usable:
            logger.info("Read replica in use (lag %.1f s)", new.lag)
        else:
            logger.warning("Read replica not used, pages read from the primary: %s", new.reason)
    return new, True


def mark_replica_failed(error):
    """Record that the replica failed mid-page, so that no page uses it before the next check."""
    global _status
    with _status_lock:
        _status = ReplicaStatus(False, None, f"failed during a page: {str(error).strip()}", time.monotonic())
    logger.warning("Read replica failed during a page, pages read from the primary: %s", str(error).strip())
    close_quietly(REPLICA_ALIAS)


def close_quietly(alias):
    """Drop a connection that has just failed (closing a dead connection can raise too)."""
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def is_replica_page(request):
    """True for GET/HEAD of a public read-only page (REPLICA_PAGE_NAMES, REPLICA_PAGE_NAMESPACES)."""
    match = request.resolver_match
    if request.method not in READ_ONLY_METHODS or match is None:
        return False
    if match.namespaces:
        return match.namespaces[0] in REPLICA_PAGE_NAMESPACES
    return match.url_name in REPLICA_PAGE_NAMES


def wrote_recently(request):
    """True while the visitor's read-your-writes cookie is younger than REPLICA_READ_YOUR_WRITES_SECONDS."""
    try:
        request.get_signed_cookie(
            READ_YOUR_WRITES_COOKIE, salt=READ_YOUR_WRITES_SALT, max_age=settings.REPLICA_READ_YOUR_WRITES_SECONDS
        )
    except (KeyError, BadSignature):
        return False
    return True


class ReadReplicaMiddleware:
    """Chooses the database each request reads from (see the module's docstring). Installed by
    settings only with DATABASE_REPLICA_URL, innermost in MIDDLEWARE.

    With the logger `core.db_routers` at DEBUG, logs one JSON line per request: method, path,
    status, `read_from` (the alias chosen), `why` (the rule that chose it), `checked` (this request
    looked at the replica) and `queries` (the page's statements per alias, the check's excluded).
    """

    def __init__(self, get_response):
        if REPLICA_ALIAS not in settings.DATABASES:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        request.replica_routing = {"read_from": DEFAULT_DB_ALIAS, "why": "not a public page", "checked": False}
        counts = dict.fromkeys(settings.DATABASES, 0)
        token = _read_alias.set(DEFAULT_DB_ALIAS)
        try:
            with contextlib.ExitStack() as stack:
                if logger.isEnabledFor(logging.DEBUG):
                    for alias in counts:
                        stack.enter_context(connections[alias].execute_wrapper(QueryCounter(alias, counts)))
                response = self.get_response(request)
        finally:
            _read_alias.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                READ_YOUR_WRITES_COOKIE,
                "1",
                salt=READ_YOUR_WRITES_SALT,
                max_age=settings.REPLICA_READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        if logger.isEnabledFor(logging.DEBUG):
            record = {"method": request.method, "path": request.path, "status": response.status_code}
            logger.debug("database routing %s", json.dumps({**record, **request.replica_routing, "queries": counts}))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        routing = request.replica_routing
        if not is_replica_page(request):
            return None
        if wrote_recently(request):
            routing["why"] = "read-your-writes"
            return None
        status, routing["checked"] = replica_status()
        if not status.usable:
            routing["why"] = f"replica not used: {status.reason}"
            return None
        routing.update(read_from=REPLICA_ALIAS, why="public page")
        request.replica_view = (view_func, view_args, view_kwargs)
        _read_alias.set(REPLICA_ALIAS)
        return None

    def process_exception(self, request, exception):
        """A public page whose replica connection failed is answered again from the primary (GET and
        HEAD are safe to repeat); a failure of that second try is the usual 503."""
        if _read_alias.get() != REPLICA_ALIAS or not isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            return None
        if not connections[REPLICA_ALIAS].errors_occurred:
            return None  # the error came from the primary: DatabaseUnavailableMiddleware's 503
        mark_replica_failed(exception)
        _read_alias.set(DEFAULT_DB_ALIAS)
        request.replica_routing.update(read_from=DEFAULT_DB_ALIAS, why="replica failed during the page")
        view_func, view_args, view_kwargs = request.replica_view
        try:
            response = view_func(request, *view_args, **view_kwargs)
            if callable(getattr(response, "render", None)) and not response.is_rendered:
                response = response.render()
        except DATABASE_UNAVAILABLE_ERRORS as error:
            logger.warning("Database unavailable while serving %s: %s", request.path, str(error).strip())
            return database_unavailable_response()
        return response


class QueryCounter:
    """connection.execute_wrapper that counts a request's statements per alias (not the check's)."""

    def __init__(self, alias, counts):
        self.alias, self.counts = alias, counts

    def __call__(self, execute, sql, params, many, context):
        if not _checking.get():
            self.counts[self.alias] += 1
        return execute(sql, params, many, context)
