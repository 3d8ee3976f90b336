"""Named actors and shared fixtures. Every test runs against the real PostgreSQL test database.

Two databases per test process (pytest-xdist worker), both made by the test run and dropped after it:
- pytest-django's test database (test_<name>, test_<name>_gw0, ...), empty at the start of every test;
- a copy of it holding the TWG records (the same name + `_records`), for the tests that ask for them
  (`twg_records`, or the browser tests' `records`).

Loading the records costs ~1.9 s; 147 tests used to pay it each. They are now loaded once per process
into the copy, and committed; a test that asks for them runs on the copy inside the same rolled-back
transaction as every other `db` test, so whatever it changes is gone after it. Tests that do not ask
keep the empty database they always had, so no count of entries or people anywhere changed meaning.

The switch is made in `pytest_runtest_setup` (below), before any fixture of the test opens its
transaction: the connection settings' NAME is changed and the connection closed, so the next query
(this thread's, a live server's, or a subprocess given the settings) goes to the chosen database.
A test that commits (`transaction=True`, `transactional_db`, `live_server`) ends with pytest-django's
flush, which empties whichever database it ran on; the records copy is then reloaded, committed, before
the next test that asks for it (one query tells; pytest-django already runs these tests after all
the rolled-back ones, so this happens a few times per run, not per test). This is cheaper than
`serialized_rollback` (which would serialize and reload the records around every such test, asking
for them or not) and keeps the copy exactly what the loader makes.
"""

import os
import shutil

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.signals import request_started
from django.db import connection, connections
from django.test import override_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from core.roles import sync_organizers_group
from depository.search import counts_cache, facet_terms
from portal.records import load_records  # the fixtures' one import of the loader

# Property tests (hypothesis; tests/test_bad_input.py, tests/test_oai_api_bad_input.py): full strength in
# CI (CI=true, as .ci/run is run), a small profile in the inner loop (`make test-fast`, a bare pytest).
# HYPOTHESIS_PROFILE=ci (or dev) chooses one anywhere.
hypothesis_settings.register_profile("ci", max_examples=30)
hypothesis_settings.register_profile("dev", max_examples=5)


def _hypothesis_profile():
    if os.environ.get("HYPOTHESIS_PROFILE"):
        return os.environ["HYPOTHESIS_PROFILE"]
    return "ci" if os.environ.get("CI", "").lower() in {"1", "true", "yes"} else "dev"


hypothesis_settings.load_profile(_hypothesis_profile())


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language and leaves no other behind: a view, a template or a
    translation.activate() in one test no longer makes the next one's messages Arabic (issue 13)."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _index_as_at_commit(**kwargs):
    """A test runs in one transaction that never commits, so the search index's commit-time flush
    (depository.search) would never run between a write and the next request. Run it where the commit
    would have: before each request, on the raw connection so that query counts stay the page's own."""
    raw = connection.connection
    if raw is not None and not raw.closed and connection.in_atomic_block:
        with raw.cursor() as cursor:
            cursor.execute("SELECT depository_search_flush()")


@pytest.fixture(autouse=True)
def search_index_as_at_commit():
    request_started.connect(_index_as_at_commit, dispatch_uid="tests_search_index_as_at_commit")
    yield
    request_started.disconnect(dispatch_uid="tests_search_index_as_at_commit")


@pytest.fixture(autouse=True)
def search_counts_cache_cold():
    """Each test starts with the search's counts cache and facet terms empty, as a new web process
    does: a value read by an earlier test (in its rolled-back transaction) is never a hit, but it would
    be a stale entry, whose reading again would add a query to the test's first page."""
    counts_cache.clear()
    facet_terms.clear()


@pytest.fixture
def server():
    """The harvesting tests' source: a LoopbackServer (tests/harvest_helpers.py) answering 404 until the
    test gives it a route (`server.set_route`); closed after the test."""
    from tests.harvest_helpers import LoopbackServer

    server = LoopbackServer(lambda path, query: (404, {}, b""))
    yield server
    server.close()


@pytest.fixture
def organizer(db):
    """Staff in the Organizers group: curates everything, is not a superuser."""
    user = get_user_model().objects.create_user(
        "olga", email="olga@example.org", password="organizer-pass-1", is_staff=True
    )
    user.groups.add(sync_organizers_group())
    return user


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", email="root@example.org", password="superuser-pass-1")


@pytest.fixture
def twg_records(records_database, db):
    """The TWG's real records, as `make run` loads them, under this test's rolled-back transaction (the
    meeting reports' files copied into this test's temporary media directories)."""
    return records_database


# Members (issue 5): two members with their people and organization, and private/public media in tmp.
def make_member(username, name, organization=None):
    from members.models import Member
    from people.models import Person

    user = get_user_model().objects.create_user(username, email=f"{username}@example.org", password="member-pass-1")
    person = Person.objects.create(name=name, slug=username)
    return Member.objects.create(user=user, person=person, organization=organization)


@pytest.fixture
def member(db):
    return make_member("amina", "Amina Diallo")


@pytest.fixture
def second_member(db):
    return make_member("bruno", "Bruno Castillo")


@pytest.fixture
def member_client(client, member):
    client.force_login(member.user)
    return client


@pytest.fixture
def media_roots(settings, tmp_path):
    """Public MEDIA_ROOT and PRIVATE_MEDIA_ROOT in a temporary directory, so tests can list what was stored."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT


# -- The records database (see the module's docstring) ---------------------------------------------
RECORDS_FIXTURE = "records_database"


class _RecordsCopy:
    """This process's copy of the test database that holds the records."""

    main = None  # pytest-django's test database
    name = None  # the copy, once made
    files = None  # the loaded records' files: files/media and files/private
    blocker = None  # pytest-django's django_db_blocker
    wanted = False  # whether the test being set up asks for the records


_copy = _RecordsCopy()


def _use_database(name):
    """Point every connection alias on the test databases (default, and a replica mirroring it) at `name`.
    The settings dict is the one the connections and settings.DATABASES share; the next query reconnects."""
    for alias in connections:
        settings_dict = connections.settings[alias]
        if settings_dict["NAME"] in {_copy.main, _copy.name} and settings_dict["NAME"] != name:
            connections[alias].close()
            settings_dict["NAME"] = name


def _records_present():
    from django.apps import apps

    return apps.get_model("meetings", "Meeting").objects.exists()


def _load_records_into_copy():
    """Load the records into the copy (selected) and commit, their files into `_copy.files`."""
    from django_tasks_db.models import DBTaskResult

    shutil.rmtree(_copy.files, ignore_errors=True)
    with (
        override_settings(MEDIA_ROOT=_copy.files / "media", PRIVATE_MEDIA_ROOT=_copy.files / "private"),
        translation.override(django_settings.LANGUAGE_CODE),
    ):
        load_records()
    # Committing ran the loader's on-commit hooks, which queue the reports' text extraction; a test
    # loading the records in its own transaction never committed, so never had them queued.
    DBTaskResult.objects.all().delete()


def _select_database(wanted):
    """Before a test's fixtures: the records copy if it asks for the records (loaded again if a test that
    commits emptied it), pytest-django's test database otherwise."""
    if _copy.name is None:  # no database test has run yet: django_db_setup below selects
        return
    _use_database(_copy.name if wanted else _copy.main)
    if wanted:
        with _copy.blocker.unblock():
            if not _records_present():
                _load_records_into_copy()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _copy.wanted = RECORDS_FIXTURE in item.fixturenames
    _select_database(_copy.wanted)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """pytest-django's test database, then its copy for the records (CREATE DATABASE ... TEMPLATE, made
    here because nothing else is connected to the test database yet; the records are loaded on first use)."""
    with django_db_blocker.unblock():
        main = connection.settings_dict["NAME"]
        name = f"{main}_records"
        connections.close_all()
        with connection._nodb_cursor() as cursor:
            quote = connection.ops.quote_name
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(main)}")
    _copy.main, _copy.name, _copy.blocker = main, name, django_db_blocker
    _copy.files = tmp_path_factory.mktemp("twg-records-files")
    _select_database(_copy.wanted)
    yield
    with django_db_blocker.unblock():
        _use_database(main)
        _copy.name = None
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")


@pytest.fixture
def records_database(django_db_setup, media_roots):
    """Asking for this (through `twg_records`, or the browser tests' `records`) runs the test on the
    records copy, selected before any fixture opens a transaction (pytest_runtest_setup above). Gives
    this test its own copy of the records' files in its temporary media directories."""
    assert connection.settings_dict["NAME"] == _copy.name, "the records database was not selected"
    for source, target in zip(("media", "private"), media_roots, strict=True):
        if (_copy.files / source).exists():
            shutil.copytree(_copy.files / source, target, dirs_exist_ok=True)
