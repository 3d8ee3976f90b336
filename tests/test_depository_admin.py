"""Curating entries in the admin: bulk publish, archive, add a theme; practice card fieldsets; preview."""

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from depository.models import Entry, Theme
from tests.depository_helpers import make_entry, theme

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:depository_entry_changelist"


def act(client, action, entries, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [e.pk for e in entries], **extra}
    return client.post(reverse(CHANGELIST), data, follow=True)


def test_bulk_publish_sets_the_publication_date_once(organizer_client):
    first = make_entry("Draft one", status="draft")
    second = make_entry("Draft two", status="draft")
    published = make_entry("Already published")
    before = published.published_at
    response = act(organizer_client, "publish", [first, second, published])
    assert "2 entries published." in response.content.decode()
    first.refresh_from_db()
    published.refresh_from_db()
    assert first.status == "published" and first.published_at is not None
    assert published.published_at == before


def test_bulk_archive_hides_from_the_public(organizer_client, client):
    entry = make_entry("To archive")
    response = act(organizer_client, "archive", [entry])
    assert "1 entry archived." in response.content.decode()
    assert Entry.objects.get(pk=entry.pk).status == "archived"


def test_add_a_theme_asks_which_then_adds_it(organizer_client):
    lighting = theme("lighting")
    first = make_entry("One", themes=["youth"])
    second = make_entry("Two", themes=[lighting])
    form = act(organizer_client, "add_theme", [first, second])
    content = form.content.decode()
    assert "Theme to add" in content and "One" in content and "Two" in content
    assert list(first.themes.values_list("slug", flat=True)) == ["youth"]  # nothing changed yet
    response = act(organizer_client, "add_theme", [first, second], apply="1", theme=lighting.pk)
    assert "added to 1 entry." in response.content.decode()
    assert set(first.themes.values_list("slug", flat=True)) == {"youth", "lighting"}
    assert list(second.themes.values_list("slug", flat=True)) == ["lighting"]


def test_entry_form_has_the_practice_card_and_failure_fieldsets(organizer_client):
    entry = make_entry("Tool", status="draft")
    content = organizer_client.get(reverse("admin:depository_entry_change", args=[entry.pk])).content.decode()
    for name in ("what_it_is", "who_implements", "costs_and_needs", "outcomes", "evidence_level", "what_was_tried"):
        assert f'name="{name}"' in content
    assert "View on site" in content  # staff preview drafts on the site


def test_changelist_filters_by_every_facet(organizer_client):
    make_entry(
        "Tool",
        evidence_level="evaluated",
        cities=["bogota"],
        themes=["youth"],
        city_types=["conflict"],
        violence_types=["organized"],
    )
    content = organizer_client.get(reverse(CHANGELIST)).content.decode()
    for heading in ("By status", "By kind", "By strength of the evidence", "By language", "By city types"):
        assert heading in content
    assert "By themes" in content and "By violence types" in content and "By cities" in content


def test_themes_nest_one_level_only(db):
    from django.core.exceptions import ValidationError

    parent = theme("safety")
    child = Theme.objects.create(name="Lighting", slug="lighting", parent=parent)
    grandchild = Theme(name="Lamps", slug="lamps", parent=child)
    with pytest.raises(ValidationError):
        grandchild.full_clean()
    parent.parent = theme("other")
    with pytest.raises(ValidationError):
        parent.full_clean()


# -- The whole bibliographic record (issue 20) ------------------------------------------------------------
def test_the_entry_form_groups_the_record_as_a_cataloguer_reads_it(organizer_client):
    entry = make_entry("Policing the periphery", kind="publication", item_type="article-journal")
    response = organizer_client.get(reverse("admin:depository_entry_change", args=[entry.pk]))
    content = response.content.decode()
    names = [fieldset.name for fieldset in response.context["adminform"]]
    assert names[:5] == ["The work", "Published in", "Publication", "Identifiers and links", "Abstract and notes"]
    assert {"Translations", "Facets", "Lesson from failure"} <= set(names)
    fields = {name for fieldset in response.context["adminform"] for line in fieldset for name in line.fields}
    for name in ("item_type", "genre", "container_title", "collection_number", "event_place", "publisher_place",
                 "date_issued_precision", "original_date", "accessed", "archive_location", "call_number", "rights",
                 "abstract", "note", "note_is_public", "other_variables"):  # fmt: skip
        assert name in fields, name
    # The per-type labels travel on the type's select, read by a static script (no inline script: CSP).
    assert "data-record-labels=" in content and "Journal" in content
    assert re.search(r'<script src="/static/js/entry_record_admin\.[0-9a-f]+\.js" nonce="[^"]+">', content)
    assert "the journal of an article, the book of a chapter" in content  # the help says what it means per type


def test_the_record_is_saved_from_the_admin(organizer_client):
    entry = make_entry("Policing the periphery", kind="publication")
    url = reverse("admin:depository_entry_change", args=[entry.pk])
    form = organizer_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update(
        {
            "item_type": "article-journal",
            "container_title": "Journal of Urban Safety",
            "volume": "12",
            "abstract": "Residents mapped where they felt unsafe.",
            "date_issued": "2019-03-01",
            "year": "2019",
            "date_issued_precision": "month",
            "other_variables": '{"PMID": "31234567"}',
            "tags": "",
            "creators-TOTAL_FORMS": "0",
            "creators-INITIAL_FORMS": "0",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
        }
    )
    response = organizer_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry.refresh_from_db()
    assert (entry.item_type, entry.volume) == ("article-journal", "12")
    assert entry.container_title == "Journal of Urban Safety"
    assert entry.date_issued_precision == "month" and entry.other_variables == {"PMID": "31234567"}
