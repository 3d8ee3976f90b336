"""'Newest' means the newest works (issue 22, finding 9): the document's own date (year, then the
day when known), then when the entry was added. A freshly loaded portal adds every entry at once, in
the records' order: ordered by when they were added, it listed 2002, 2014, 2004 ..."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.services import _matching_entries
from depository import search
from tests.depository_helpers import make_entry

pytestmark = pytest.mark.django_db

LOADED = timezone.now() - datetime.timedelta(hours=1)
NEWEST_WORK_FIRST = [
    "Survey 2014 (June)",
    "Survey 2014 (March)",
    "Study 2014",
    "Report 2004",
    "Review 2002",
    "Undated note",
]


@pytest.fixture
def loaded_in_the_records_order():
    """Added to the portal one second apart, in an order unrelated to the works' dates; the
    'Study 2014' without a day sorts after the 2014 works whose day is known."""
    rows = [
        ("Review 2002", {"year": 2002}),
        ("Survey 2014 (March)", {"date_issued": datetime.date(2014, 3, 1), "year": 2014}),
        ("Report 2004", {"year": 2004}),
        ("Undated note", {}),
        ("Study 2014", {"year": 2014}),
        ("Survey 2014 (June)", {"date_issued": datetime.date(2014, 6, 1), "year": 2014}),
    ]
    # Added later means a later published_at: the old order put the last row first.
    return [
        make_entry(title, published_at=LOADED + datetime.timedelta(seconds=number), **fields)
        for number, (title, fields) in enumerate(rows)
    ]


def titles_in(html, candidates=NEWEST_WORK_FIRST):
    found = {title: html.find(title) for title in candidates if title in html}
    return sorted(found, key=found.get)


def test_browse_default_sort_lists_the_newest_works_first(client, loaded_in_the_records_order):
    response = client.get(reverse("depository:browse"))
    assert response.context["sort_order"] == "newest"
    assert [entry.title for entry in response.context["page"]] == NEWEST_WORK_FIRST


def test_the_sort_named_newest_too(client, loaded_in_the_records_order):
    response = client.get(reverse("depository:browse"), {"sort": "newest", "kind": "tool"})
    assert [entry.title for entry in response.context["page"]] == NEWEST_WORK_FIRST


def test_the_feed_lists_the_newest_works_first(client, loaded_in_the_records_order):
    feed = client.get(reverse("depository:feed")).content.decode()
    entries = re.findall(r"<title>([^<]*)</title>", feed)[1:]
    assert entries == NEWEST_WORK_FIRST


def test_the_api_s_default_order_is_the_newest_works_first(client, loaded_in_the_records_order):
    body = client.get(reverse("api:entries")).json()
    assert [entry["title"] for entry in body["results"]] == NEWEST_WORK_FIRST


def test_the_home_page_s_latest_are_the_newest_works(client, loaded_in_the_records_order):
    html = client.get(reverse("home")).content.decode()
    assert titles_in(html) == NEWEST_WORK_FIRST


def test_an_alert_digest_lists_its_period_s_entries_newest_work_first(loaded_in_the_records_order):
    search.flush()  # the digest task runs after the entries' commit; here they are in this transaction
    since, until = LOADED, LOADED + datetime.timedelta(minutes=1)
    assert [entry.title for entry in _matching_entries("", since, until)] == NEWEST_WORK_FIRST
