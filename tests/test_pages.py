"""The base layout, the home page and the About page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from depository.models import Entry

pytestmark = pytest.mark.django_db


def test_home_shows_latest_entries_and_meetings(client, twg_records, django_assert_num_queries):
    # 1 latest entries, 1 their themes, 1 latest meetings (with their city)
    with django_assert_num_queries(3):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Inception meeting of the Technical Working Group" in content
    latest = Entry.objects.published().newest(1)[0]
    assert latest.title in content
    for label in ("Depository", "Meetings", "Members", "About"):
        assert f">{label}</a>" in content
    assert "Geneva Peacebuilding Platform" in content  # footer names the co-facilitators
    assert 'href="#main"' in content  # skip link


def test_home_hides_drafts(client, twg_records):
    Entry.objects.create(kind="tool", title="Unfinished toolkit draft", slug="unfinished-draft")
    response = client.get(reverse("home"))
    assert "Unfinished toolkit draft" not in response.content.decode()


def test_home_query_count_does_not_grow_with_entries(client, twg_records, django_assert_num_queries):
    for number in range(10):
        Entry.objects.create(
            kind="tool", title=f"Tool {number}", slug=f"tool-{number}", status="published", published_at=timezone.now()
        )
    with django_assert_num_queries(3):
        client.get(reverse("home"))


def test_home_works_on_an_empty_database(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Nothing has been published yet." in response.content.decode()


def test_about_page(client):
    response = client.get(reverse("about"))
    assert response.status_code == 200
    assert "co-facilitated by the United Nations Office at Geneva" in response.content.decode()


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_pages_refuse_unsafe_methods(client, db):
    assert client.post(reverse("home")).status_code in (403, 405)
