"""Named actors and shared fixtures. Every test runs against the real PostgreSQL test database."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.signals import request_started
from django.db import connection
from django.utils import translation

from core.roles import sync_organizers_group
from portal.records import load_records


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
def twg_records(db, media_roots):
    """The TWG's real records, as `make run` loads them (the meeting reports' files in a temporary directory)."""
    return load_records()


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
