"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

`make browser-deps` provides /usr/bin/chromium and node_modules/axe-core; the pinned Python
`playwright` speaks that Chromium's protocol, so no browser is ever downloaded. Every test gets a
fresh browser context (no cookies, English unless asked) on a page opened at the live server, and a
screenshot of its last page lands in test-artifacts/ whether it passed or failed.

The database: the TWG records, loaded once per test process into the records copy of the test
database (tests/conftest.py), and shared by the browser tests. A test that only looks asks for
`records`: it reads the copy as it is, and its own connection is read-only, so a write of its own
fails instead of leaking into the next test. A test that changes data (logs a new user in, edits an
entry) asks for `records_to_change`: it commits (the server and any worker process must see it), and
pytest-django empties the copy after it, so the next test reloads the records (tests/conftest.py).
The server's own bookkeeping on a visit (the cache table, a queued statistics flush) is left behind;
no browser test reads it.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_SOURCE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = settings.BASE_DIR / "test-artifacts"

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for this package's tests. Not for the whole session: while
    Playwright runs, its event loop makes Django refuse database calls in the tests that follow."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run `make browser-deps` (or `make test`), which installs it.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package", autouse=True)
def allow_database_calls_beside_playwright():
    """Playwright's sync API keeps an event loop running in this thread; Django refuses database
    calls from a thread with a running loop unless told that this is deliberate. Set for this
    package only, around the database set-up and flush too; it must not leak into other tests
    (`check --deploy` rejects it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser_server():
    """pytest-django's live server, but static files come through whitenoise (compressed, hashed names
    from the collected manifest) exactly as in production, instead of Django's finders. Not named
    `live_server`: under that name pytest-django gives every test `transactional_db`, which empties the
    database after each test; here the test's own fixture (`records`, `records_to_change`) says."""
    server = LiveServer(os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost", start=False)
    server.thread.static_handler = lambda application: application
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def axe_source():
    if not AXE_SOURCE.exists():
        raise RuntimeError(f"{AXE_SOURCE} is missing: run `make browser-deps` (npm ci), which installs axe-core.")
    return AXE_SOURCE.read_text()


def artifact_name(nodeid):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")[:150]


@pytest.fixture
def new_page(request, browser, browser_server, settings):
    """Open pages in fresh contexts: new_page(viewport=PHONE, locale="es")."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, browser_server.thread.host]
    contexts = []

    def open_page(*, viewport=DESKTOP, locale="en-GB", **options):
        context = browser.new_context(base_url=browser_server.url, viewport=viewport, locale=locale, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    ARTIFACTS.mkdir(exist_ok=True)
    for number, context in enumerate(contexts):
        for page in context.pages:
            suffix = f"-{number}" if number else ""
            page.screenshot(path=ARTIFACTS / f"{artifact_name(request.node.nodeid)}{suffix}.png", full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page in English, in its own browser context."""
    return new_page()


@pytest.fixture
def records(records_database, django_db_blocker):
    """The TWG's real records, shared (see the module's docstring): read by the server and the test,
    never written by the test (its connection is read-only until the end of the test)."""
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        yield
        connection.close()  # and with it the read-only session


@pytest.fixture
def records_to_change(records_database, transactional_db):
    """The TWG's real records, for a test that writes: what it writes is committed, and the records are
    loaded again for the next test that asks (pytest-django empties the database after this one)."""


class Axe:
    """axe-core injected into the page; `check(page)` fails on any serious or critical violation."""

    def __init__(self, source):
        self.source = source

    def violations(self, page, tags=("wcag2a", "wcag2aa")):
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(self.source)
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", list(tags))
        return [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]

    def check(self, page):
        violations = self.violations(page)
        assert not violations, f"axe-core on {page.url}:\n" + json.dumps(
            [
                {
                    "rule": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [node["target"] for node in v["nodes"][:5]],
                }
                for v in violations
            ],
            indent=2,
        )


@pytest.fixture
def axe(axe_source):
    return Axe(axe_source)
