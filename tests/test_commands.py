import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_ensure_organizer_creates_one_account_once(monkeypatch):
    monkeypatch.delenv("ORGANIZER_PASSWORD", raising=False)
    monkeypatch.setenv("ORGANIZER_USERNAME", "curator")
    out = io.StringIO()
    call_command("ensure_organizer", stdout=out)
    user = get_user_model().objects.get(username="curator")
    password = out.getvalue().split("password:")[1].strip()
    assert user.is_staff and not user.is_superuser
    assert user.check_password(password)
    assert user.has_perm("depository.change_entry") and user.has_perm("meetings.add_meeting")

    again = io.StringIO()
    call_command("ensure_organizer", stdout=again)
    assert "nothing created" in again.getvalue()
    assert get_user_model().objects.count() == 1


def test_ensure_organizer_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("ORGANIZER_PASSWORD", "a-chosen-password-42")
    out = io.StringIO()
    call_command("ensure_organizer", stdout=out)
    assert "a-chosen-password-42" not in out.getvalue()
    assert get_user_model().objects.get(username="organizer").check_password("a-chosen-password-42")
