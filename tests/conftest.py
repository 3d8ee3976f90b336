"""Named actors and shared fixtures. Every test runs against the real PostgreSQL test database."""

import pytest
from django.contrib.auth import get_user_model

from twg_portal.management.commands.ensure_organizer import sync_organizers_group
from twg_portal.records import load_records


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
def twg_records(db):
    """The TWG's real records, as `make run` loads them."""
    return load_records()
