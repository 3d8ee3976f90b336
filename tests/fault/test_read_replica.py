"""Fault test (`make fault-test`): the portal on a primary and a real streaming replica.

A PostgreSQL of its own (initdb, a free loopback port) is migrated and loaded with the TWG records;
`pg_basebackup -R` copies it into a standby on another loopback port, which streams from it. gunicorn
serves the portal with DATABASE_URL on the primary and DATABASE_REPLICA_URL on the replica, and logs
one line per request saying which database the page read from and how many statements it sent to
each (core/db_routers.py, logger at DEBUG). The tests prove, from that log and from the pages:
- public pages read only from the replica; logins, members' pages, the admin and writes only from
  the primary; a public page costs the replica exactly what it costs the primary without one;
- read-your-writes: with the replica's replay paused, an organizer's new organization (written on
  the primary, absent from the replica) is on the organizer's next public page; the lag bound then
  sends every visitor to the primary, and resuming replay brings them back to the replica;
- an outage: the replica stopped, every page still answers 200 from the primary; started again,
  pages read from it again.
Every wait is on a condition with a deadline; the short check period and lag bound below keep the
whole module well under two minutes.
"""

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg2
import pytest

from tests.fault.test_postgres_restart import BASE_DIR, GUNICORN, PG_BIN, OwnPostgres, as_postgres, free_port, run

pytestmark = pytest.mark.fault

CHECK_SECONDS, MAX_LAG_SECONDS, READ_YOUR_WRITES_SECONDS = 1, 2, 4
DEADLINE = 30  # seconds: the longest any condition below is waited for
REQUEST_TIMEOUT = 15
ORGANIZER_PASSWORD = secrets.token_urlsafe(16)
# Every public page, the search's raw SQL included (db_routers.read_connection()), sends nothing at
# all to the primary.
PUBLIC_PAGES = [
    "/",
    "/depository/",
    "/depository/glossary/",
    "/depository/feed/",
    "/meetings/",
    "/meetings/organizations/",
    "/sitemap.xml",
]


class OwnReplica:
    """A hot standby of `primary`, copied with `pg_basebackup -R` (which writes primary_conninfo and
    standby.signal), in its own temporary directory, on its own loopback port."""

    def __init__(self, primary):
        self.base = Path(tempfile.mkdtemp(prefix="twg-replica-"))
        if os.geteuid() == 0:
            shutil.chown(self.base, user="postgres", group="postgres")
        self.data = self.base / "data"
        self.log = self.base / "postgres.log"
        self.port = free_port()
        basebackup = [str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"]
        run(as_postgres([*basebackup, "-D", str(self.data), "-R", "-X", "stream", "-c", "fast", "--no-sync"]))

    start, stop, running, url, remove = (
        OwnPostgres.start,
        OwnPostgres.stop,
        OwnPostgres.running,
        OwnPostgres.url,
        OwnPostgres.remove,
    )

    def sql(self, statement, params=()):
        """Run one statement on the replica directly (not through the portal) and return its rows."""
        with psycopg2.connect(self.url("twg_replica")) as connection, connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()


def wait_for(condition, what, deadline=DEADLINE):
    """Call `condition` until it returns something true, and return that; fail after `deadline` s."""
    end = time.monotonic() + deadline
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < end, f"not within {deadline} s: {what}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def servers():
    assert (PG_BIN / "pg_basebackup").is_file(), "the fault test needs Debian's postgresql-15 server binaries"
    primary = OwnPostgres()
    replica = None
    try:
        primary.start()
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PG", "DATABASE_"))}
        env.update(
            DATABASE_URL=primary.url("twg_replica"),
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SETTINGS_MODULE="twg_portal.settings",
            ORGANIZER_USERNAME="organizer",
            ORGANIZER_PASSWORD=ORGANIZER_PASSWORD,
        )
        manage = [sys.executable, "manage.py"]
        for command in (
            ["ensure_database"],
            ["migrate", "--no-input"],
            ["createcachetable"],
            ["load_twg_records"],
            ["ensure_organizer"],
        ):
            run([*manage, *command], cwd=BASE_DIR, env=env, timeout=300)
        replica = OwnReplica(primary)
        replica.start()
        env.update(
            DATABASE_REPLICA_URL=replica.url("twg_replica"),
            REPLICA_CHECK_SECONDS=str(CHECK_SECONDS),
            REPLICA_MAX_LAG_SECONDS=str(MAX_LAG_SECONDS),
            REPLICA_READ_YOUR_WRITES_SECONDS=str(READ_YOUR_WRITES_SECONDS),
            LOG_LEVEL="DEBUG",
        )
        yield primary, replica, env
    finally:
        if replica:
            replica.remove()
        primary.remove()


@contextlib.contextmanager
def served(servers, log_path, **settings):
    """gunicorn with one worker (so that one process's view of the replica answers every request),
    with `settings` added to the environment; yields a Portal."""
    primary, replica, env = servers
    port = free_port()
    log = open(log_path, "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [str(GUNICORN), "twg_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "30"],
        cwd=BASE_DIR,
        env={**env, **settings},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    portal = Portal(port, log_path, primary, replica)
    try:
        wait_for(lambda: process.poll() is not None or portal.answers("/healthz"), "gunicorn serving")
        assert process.poll() is None, log_path.read_text()
        yield portal
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
    assert "Traceback" not in log_path.read_text(), log_path.read_text()


@pytest.fixture(scope="module")
def portal(servers, tmp_path_factory):
    with served(servers, tmp_path_factory.mktemp("replica") / "gunicorn.log") as portal:
        yield portal


class Portal:
    """The served portal, and what its routing log said about each request."""

    def __init__(self, port, log_path, primary, replica):
        self.port, self.log_path, self.primary, self.replica = port, log_path, primary, replica
        self.log_offset = 0

    def answers(self, path):
        try:
            return Visitor(self).get(path).status == 200
        except OSError:
            return False

    def routing_of(self, method, path):
        """The routing log's record of the latest request for `method path` since the last call."""
        with open(self.log_path) as log:
            log.seek(self.log_offset)
            text = log.read()
            self.log_offset = log.tell()
        records = [json.loads(line) for line in re.findall(r"database routing (\{.*\})", text)]
        matching = [record for record in records if (record["method"], record["path"]) == (method, path)]
        assert matching, f"no routing record for {method} {path} in:\n{text}"
        return matching[-1]


class Visitor:
    """One browser: its own cookies; each answer carries the routing record of its request."""

    def __init__(self, portal):
        self.portal = portal
        self.cookies = {}

    def request(self, method, path, form=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.portal.port, timeout=REQUEST_TIMEOUT)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.portal.port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        if path != "/healthz":
            response.routing = self.portal.routing_of(method, path.split("?")[0])
        return response

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)

    def log_in(self):
        self.get("/members/login/")
        response = self.post("/members/login/", {"username": "organizer", "password": ORGANIZER_PASSWORD})
        assert response.status == 302, response.text
        return response


def reads_from_replica(visitor, path):
    response = visitor.get(path)
    assert response.status == 200, response.text
    return response if response.routing["read_from"] == "replica" else None


def test_public_pages_read_from_the_replica_and_everything_else_from_the_primary(portal):
    visitor = Visitor(portal)
    wait_for(lambda: reads_from_replica(visitor, "/depository/"), "the browse page read from the replica")
    entry = re.search(r'href="(/depository/(?!feed/|glossary/)[\w-]+/)"', visitor.get("/depository/").text)
    assert entry, "no entry link on the browse page"
    on_primary = {}
    for path in [*PUBLIC_PAGES, entry.group(1)]:
        response = visitor.get(path)
        assert response.status == 200, (path, response.text)
        assert response.routing["read_from"] == "replica", (path, response.routing)
        assert response.routing["queries"]["replica"] > 0, (path, response.routing)
        on_primary[path] = response.routing["queries"]["default"]
    # Nothing on the primary for an anonymous public page (no session, no cache; the check is not
    # counted), the search's own SQL included.
    assert on_primary == dict.fromkeys(on_primary, 0)

    # Not public pages: the primary only, for an anonymous visitor too.
    for path in ["/members/login/", "/members/password/reset/", "/admin/login/"]:
        response = visitor.get(path)
        assert response.status == 200, (path, response.text)
        assert response.routing["queries"]["replica"] == 0, (path, response.routing)

    # A login (a write: the session, axes) and then members' pages and the admin: the primary only.
    login = visitor.log_in()
    assert login.routing["queries"]["replica"] == 0 and login.routing["queries"]["default"] > 0
    assert "twg_read_primary" in visitor.cookies
    marker = next(h for h in login.headers.get_all("Set-Cookie") if h.startswith("twg_read_primary="))
    assert "HttpOnly" in marker and "SameSite=Lax" in marker and f"Max-Age={READ_YOUR_WRITES_SECONDS}" in marker
    for path in ["/members/", "/admin/", "/admin/people/organization/", "/admin/depository/entry/"]:
        response = visitor.get(path)
        assert response.status == 200, (path, response.text)
        assert response.routing["queries"]["replica"] == 0, (path, response.routing)
        assert response.routing["queries"]["default"] > 0, (path, response.routing)


def test_own_writes_are_read_back_and_a_lagging_replica_is_left_alone(portal):
    replica = portal.replica
    organizer, anonymous = Visitor(portal), Visitor(portal)
    organizer.log_in()
    wait_for(lambda: reads_from_replica(anonymous, "/meetings/organizations/"), "the replica in use")

    replica.sql("SELECT pg_wal_replay_pause()")
    wait_for(lambda: replica.sql("SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused", "replay paused")
    try:
        slug = f"replica-check-{uuid.uuid4().hex[:8]}"
        name = f"Replica Check {slug[-8:]}"
        organizer.get("/admin/people/organization/add/")
        added = organizer.post(
            "/admin/people/organization/add/",
            {"name": name, "slug": slug, "acronym": "", "kind": "other", "city": "", "country": "", "website": ""},
        )
        assert added.status == 302, added.text
        assert added.routing["queries"]["replica"] == 0

        # The organizer's next page shows the new organization: read from the primary, because the
        # replica does not have it (asked directly).
        page = organizer.get(f"/meetings/organizations/{slug}/")
        assert page.status == 200 and name in page.text
        assert page.routing["read_from"] == "default" and page.routing["why"] == "read-your-writes"
        assert replica.sql("SELECT count(*) FROM meetings_organization WHERE slug = %s", [slug]) == [(0,)]

        # Meanwhile anonymous visitors may read the stale replica (404) until a check finds it
        # lagging past the bound; from then on they read from the primary and see it.
        def anonymous_on_primary():
            response = anonymous.get(f"/meetings/organizations/{slug}/")
            if response.routing["read_from"] == "replica":
                assert response.status == 404
                return None
            assert response.status == 200 and name in response.text
            return response

        fallback = wait_for(anonymous_on_primary, "a lagging replica left for the primary")
        assert "lagging" in fallback.routing["why"], fallback.routing
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")

    # Replay resumed: the replica catches up, and anonymous visitors read the organization from it.
    back = wait_for(lambda: reads_from_replica(anonymous, f"/meetings/organizations/{slug}/"), "the replica again")
    assert name in back.text
    # The organizer too, once the read-your-writes window has passed.
    wait_for(lambda: reads_from_replica(organizer, f"/meetings/organizations/{slug}/"), "the organizer back")


def test_a_replica_outage_falls_back_to_the_primary_and_recovers(portal):
    replica = portal.replica
    visitor = Visitor(portal)
    wait_for(lambda: reads_from_replica(visitor, "/meetings/"), "the replica in use")
    healthy = {}
    for path in PUBLIC_PAGES:
        response = visitor.get(path)
        assert response.status == 200 and response.routing["read_from"] == "replica", (path, response.routing)
        healthy[path] = response.routing["queries"]

    replica.stop(mode="fast")
    answers = []

    def unreachable_noticed():
        for path in PUBLIC_PAGES:
            response = visitor.get(path)
            answers.append(response)
            assert response.status == 200, (path, response.status, response.routing)
            assert response.routing["read_from"] == "default", (path, response.routing)
            # The same statements as on the replica, now on the primary: nothing added by the fallback.
            expected = {"default": healthy[path]["default"] + healthy[path]["replica"], "replica": 0}
            assert response.routing["queries"] == expected, (path, response.routing)
        return any("unreachable" in answer.routing["why"] for answer in answers)

    wait_for(unreachable_noticed, "a check finding the replica unreachable")

    replica.start()

    def back_on_replica():
        response = visitor.get("/depository/")
        assert response.status == 200, response.routing
        return response.routing["read_from"] == "replica"

    wait_for(back_on_replica, "pages read from the replica once it is back")


def test_a_replica_failing_during_a_page_is_answered_again_from_the_primary(servers, tmp_path):
    """With a check period far longer than the test, the worker still believes the replica well when
    it stops: the page's own replica connection fails, and the page is answered from the primary."""
    long_check = {"REPLICA_CHECK_SECONDS": "300", "REPLICA_READ_YOUR_WRITES_SECONDS": "310"}
    with served(servers, tmp_path / "gunicorn.log", **long_check) as portal:
        visitor = Visitor(portal)
        wait_for(lambda: reads_from_replica(visitor, "/meetings/"), "the replica in use")
        on_replica = visitor.get("/meetings/organizations/").routing["queries"]["replica"]
        portal.replica.stop(mode="fast")
        try:
            failed = visitor.get("/meetings/organizations/")
            assert failed.status == 200, failed.text
            assert failed.routing["why"] == "replica failed during the page", failed.routing
            assert failed.routing["queries"] == {"default": on_replica, "replica": 0}
            # The failure is remembered: the next pages go straight to the primary, without trying.
            following = visitor.get("/meetings/")
            assert following.status == 200
            assert following.routing["why"].startswith("replica not used: failed during a page"), following.routing
            assert following.routing["checked"] is False
        finally:
            portal.replica.start()
