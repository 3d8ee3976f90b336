"""Dates that mean something: an entry's own date (`Entry.issued`: the day issued, else the year) is
what the feed and the entry page show; when it was added to the portal is a separate date."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from depository.models import Entry
from tests.depository_helpers import make_entry

pytestmark = pytest.mark.django_db


def feed_dates(client):
    xml = client.get(reverse("depository:feed")).content.decode()
    return dict(re.findall(r"<entry><title>([^<]+)</title>.*?<published>([^<]+)</published>", xml, re.S))


def test_the_feed_dates_entries_by_their_own_dates(client):
    make_entry("Safety audit guide", year=2012, date_issued=datetime.date(2012, 3, 8))
    make_entry("Mediation in Bogotá", year=2018)
    make_entry("Undated note")
    dates = feed_dates(client)
    assert dates["Safety audit guide"].startswith("2012-03-08T00:00:00")
    assert dates["Mediation in Bogotá"].startswith("2018-01-01T00:00:00")
    assert "Undated note" not in dates  # no <published> at all rather than an invented one
    assert "Undated note" in client.get(reverse("depository:feed")).content.decode()


def test_records_are_dated_by_their_documents_not_by_the_load(client, twg_records):
    report = Entry.objects.get(slug="inception-meeting-report-2014")
    assert report.published_at.date() == timezone.now().date()  # added to the portal by the load
    assert report.issued == datetime.date(2014, 1, 1)
    dates = feed_dates(client)
    assert dates, "the records put entries in the feed"
    loaded_today = timezone.now().date().isoformat()
    assert not [title for title, date in dates.items() if date.startswith(loaded_today)]


def test_the_entry_page_shows_the_date_issued_and_the_date_added(client):
    entry = make_entry("Safety audit guide", year=2012, date_issued=datetime.date(2012, 3, 8))
    html = client.get(entry.get_absolute_url()).content.decode()
    assert '<time datetime="2012-03-08">8 March 2012</time>' in html
    assert "Added to the portal" in html
    assert f'<time datetime="{entry.published_at:%Y-%m-%d}">' in html


def test_a_date_issued_in_another_year_is_refused_with_a_message(organizer_client):
    entry = make_entry("Safety audit guide", year=2012)
    url = reverse("admin:depository_entry_change", args=[entry.pk])
    form = organizer_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update(
        {
            "kind": entry.kind,
            "title": entry.title,
            "slug": entry.slug,
            "status": entry.status,
            "language": entry.language,
            "year": "2012",
            "date_issued": "2013-05-01",
            "tags": "",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
        }
    )
    response = organizer_client.post(url, data)
    assert response.status_code == 200
    assert "The year must be the year of the date issued." in response.content.decode()
    entry.refresh_from_db()
    assert entry.date_issued is None


def test_a_date_issued_alone_gives_the_year():
    entry = Entry(kind="tool", title="Guide", slug="guide", date_issued=datetime.date(2016, 10, 20))
    entry.full_clean()
    assert entry.year == 2016
    assert entry.issued == datetime.date(2016, 10, 20)
