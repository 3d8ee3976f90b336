"""The TWG's own depository records: faceted, with practice cards where the reports state them."""

import pytest
from django.urls import reverse

from depository import search
from depository.models import Entry, EntrySearchDocument

pytestmark = pytest.mark.django_db


def test_every_record_is_published_faceted_and_indexed(twg_records):
    # The 14 records of the reports, with their themes, and the literature review's 14 first works
    # (portal/records/literature.ris: a reference manager's metadata, no facets invented).
    entries = Entry.objects.published().prefetch_related("themes")
    works = entries.filter(kind="publication", creators__isnull=False).distinct()
    assert (entries.count(), works.count()) == (28, 14)
    assert all(entry.themes.all() for entry in entries.exclude(pk__in=works))
    search.flush()  # as the records loader's commit does
    assert EntrySearchDocument.objects.count() == 28


def test_practice_cards_come_from_the_records(client, twg_records):
    entry = Entry.objects.get(slug="world-bank-e-learning-urban-violence")
    assert entry.who_implements == "World Bank."
    content = client.get(entry.get_absolute_url()).content.decode()
    assert "Practice card" in content and "Who implements it" in content


def test_the_records_are_browsable_by_typology_and_search(client, twg_records):
    response = client.get(reverse("depository:browse"), {"violence_type": "gender-based"})
    assert [e.slug for e in response.context["page"]] == ["inception-meeting-report-2014"]
    response = client.get(reverse("depository:browse"), {"q": "crime observatories"})
    assert "crime-observatories-mexico" in [e.slug for e in response.context["page"]]
