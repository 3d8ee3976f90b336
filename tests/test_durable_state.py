"""Issue 22, finding 1: state that must last is never kept in the cache. Django's database cache
keeps MAX_ENTRIES (300) rows and culls a third of them when full, so anything that writes many keys
wiped what others kept there. Each test fills the cache with 1,000 keys between two steps and shows
that the state of the first step is intact: rate limits still refuse, a pending import still
confirms, counted views all reach the statistics."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import ratelimits
from depository.models import Entry
from portal.api import api
from tests.depository_helpers import make_entry
from tests.test_entry_spreadsheets import GOOD_CSV, PROCESS_URL, csv_upload, dry_run, vocabulary  # noqa: F401
from usage.models import MonthlyUsage

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def fill_the_cache(keys=1000):
    """What another feature may do at any time: write many keys. The database cache culls as it goes,
    the lowest third of its keys in sort order each time: these sort after every other key ("~"), so
    whatever else the cache holds is culled first."""
    for number in range(keys):
        cache.set(f"~flood:{number}", "x" * 100, 3600)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM twg_cache")
        (rows,) = cursor.fetchone()
    assert rows < 400  # the cache did forget: culled to about its size (MAX_ENTRIES 300)


def test_password_reset_limits_survive_a_full_cache(client, member):
    url = reverse("members:password_reset")
    for number in range(3):
        assert client.post(url, {"email": "amina@example.org"}, REMOTE_ADDR=f"192.0.2.{number}").status_code == 302
    fill_the_cache()
    refused = client.post(url, {"email": "amina@example.org"}, REMOTE_ADDR="192.0.2.9")
    assert refused.status_code == 429
    assert len(mail.outbox) == 3


def test_the_api_throttle_survives_a_full_cache(client, monkeypatch):
    monkeypatch.setattr(api.throttle[0], "rate", ratelimits.parse_rate("2/h"))
    assert client.get("/api/", REMOTE_ADDR="192.0.2.50").status_code == 200
    assert client.get("/api/", REMOTE_ADDR="192.0.2.50").status_code == 200
    fill_the_cache()
    assert client.get("/api/", REMOTE_ADDR="192.0.2.50").status_code == 429


def test_a_pending_import_survives_a_full_cache(organizer_client, vocabulary, media_roots):  # noqa: F811
    confirm = dry_run(organizer_client, csv_upload(GOOD_CSV)).context["confirm_form"].initial
    fill_the_cache()
    assert organizer_client.post(PROCESS_URL, confirm).status_code == 302
    assert Entry.objects.filter(slug="safer-cities-toolkit").exists()


def test_counted_views_survive_a_full_cache(media_roots):
    entry = make_entry("Women's safety audit", themes=["policing"])
    reader = Client()
    for number in range(60):
        address = f"10.0.0.{number + 1}"
        assert reader.get(entry.get_absolute_url(), HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR=address).status_code == 200
        if number == 29:
            fill_the_cache()
    fill_the_cache()
    call_command("flush_statistics", verbosity=0)
    month = timezone.now().date().replace(day=1)
    assert list(MonthlyUsage.objects.values_list("entry", "month", "views")) == [(entry.pk, month, 60)]
