"""Text hygiene where text comes in (core/text.py) and an Atom feed valid by RFC 4287."""

import importlib
import io

import feedparser
import openpyxl
import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from lxml import etree

from core.text import clean_text
from depository.models import Entry
from depository.spreadsheets import EntryResource
from tests.depository_helpers import make_entry

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("Safer\x0b cities", "Safer cities"),
        ("tab\tline\nreturn\r", "tab\tline\nreturn\r"),
        ("nul\x00 bell\x07 esc\x1b", "nul bell esc"),
        ("lone \ud800surrogate \ufffe\uffff", "lone surrogate "),
        ("Bogota\u0301", "Bogotá"),  # combining accent composed (NFC)
        ("ﬁ ligature and Ⅻ stay", "ﬁ ligature and Ⅻ stay"),  # NFC, not NFKC: compatibility forms kept
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def test_a_control_character_typed_in_the_admin_breaks_neither_the_feed_nor_the_xlsx_export(organizer_client):
    data = {
        "kind": "tool",
        "title": "Street lighting\x0b audits in Bogota\u0301",
        "slug": "lighting-audits",
        "status": "published",
        "language": "en",
        "summary": "Night walks\x0c with residents.",
        "creators-TOTAL_FORMS": "1",
        "creators-INITIAL_FORMS": "0",
        "creators-0-position": "0",
        "creators-0-role": "author",
        "creators-0-kind": "person",
        "creators-0-family": "Pe\u0301rez\x0b",
        "creators-0-given": "Ana",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    assert organizer_client.post(reverse("admin:depository_entry_add"), data).status_code == 302
    entry = Entry.objects.get(slug="lighting-audits")
    assert (entry.title, entry.summary) == ("Street lighting audits in Bogotá", "Night walks with residents.")
    assert entry.creators.get().family == "Pérez"

    response = organizer_client.get(reverse("depository:feed"))
    assert response.status_code == 200
    etree.fromstring(response.content)  # a strict XML parser: raises on any forbidden character
    feed = feedparser.parse(response.content)
    assert not feed.bozo and feed.entries[0].title == "Street lighting audits in Bogotá"

    export = organizer_client.post(
        reverse("admin:depository_entry_export"),
        {"resource": "0", "format": "1", **{f"entryresource_{name}": "on" for name in EntryResource._meta.fields}},
    )
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    titles = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["Street lighting audits in Bogotá"]


def test_the_migration_cleans_text_stored_before(db):
    entry = make_entry("Clean for now")
    with connection.cursor() as cursor:  # as rows written before the receiver existed
        cursor.execute(
            "UPDATE depository_entry SET title = %s, summary = %s WHERE id = %s",
            ["Dirty\x0b title", "Cafe\u0301\x1f", entry.pk],
        )
    migration = importlib.import_module("depository.migrations.0016_clean_stored_text")
    with connection.schema_editor() as editor:
        migration.forwards(apps, editor)
    entry.refresh_from_db()
    assert (entry.title, entry.summary) == ("Dirty title", "Café")


# -- The Atom feed, RFC 4287 -----------------------------------------------------------------------
def test_the_feed_has_what_rfc_4287_requires(client):
    make_entry("With an author", authors="Pérez, Ana", violence_types=["gender-based"], summary="S.")
    make_entry("Without an author", violence_types=["gender-based"])
    response = client.get(reverse("depository:feed"), {"violence_type": "gender-based"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"

    def one(parent, name):
        found = parent.findall(f"{ATOM}{name}")
        assert len(found) == 1, name
        return found[0]

    # 4.1.1: exactly one id, title, updated; an author at feed level, since entries may have none.
    for name in ("id", "title", "updated"):
        assert one(feed, name).text
    assert one(one(feed, "author"), "name").text.startswith("Technical Working Group")
    # 4.2.7.2: rel="self" is the feed's own address, with the filters.
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == "http://testserver/depository/feed/?violence_type=gender-based"
    assert links["alternate"] == "http://testserver/depository/?violence_type=gender-based"
    # 4.1.2: each entry has one id, title and updated, and a link (no content element, so an alternate link).
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert one(entry, name).text
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo and parsed.feed.author.startswith("Technical Working Group")


# -- validated as stored: cleaned before validation, not only before saving ---------------------------
@pytest.mark.parametrize(
    "typed, existing, error",
    [
        ("\x0b\ufffe", None, "This field is required."),  # only forbidden characters: blank once cleaned
        ("Safer Cities\x0b", "Safer Cities", "Organization with this Name already exists."),
        ("Bogota\u0301 council", "Bogotá council", "Organization with this Name already exists."),  # NFC
    ],
    ids=["blank once cleaned", "control character", "decomposed accent"],
)
def test_the_admin_validates_text_as_it_will_be_stored(organizer_client, typed, existing, error):
    from people.models import Organization

    if existing:
        Organization.objects.create(name=existing, slug="existing")
    before = Organization.objects.count()
    response = organizer_client.post(
        reverse("admin:people_organization_add"), {"name": typed, "slug": "typed", "acronym": ""}
    )
    assert response.status_code == 200  # the form again, with its error; never an IntegrityError
    assert error in response.content.decode() or "cannot be blank" in response.content.decode()
    assert Organization.objects.count() == before


def test_the_participant_import_reads_names_as_they_will_be_stored(organizer_client):
    """Hypothesis found it: an organization named U+FFFE was new on the plan, and empty when saved."""
    from meetings.models import Meeting
    from people.models import Organization

    meeting = Meeting.objects.create(name="Hygiene meeting", slug="hygiene", status="proposed")
    url = reverse("admin:meetings_meeting_import_participants", args=[meeting.pk])
    for _ in range(2):
        response = organizer_client.post(
            url, {"text": "name,title,organization,city,role\n0,,\ufffe\nAna Ruiz,,Safer\x0b Cities", "confirm": "1"}
        )
        assert response.status_code in (200, 302)
    assert not Organization.objects.filter(name="").exists()
    assert list(Organization.objects.filter(name__startswith="Safer").values_list("name", flat=True)) == [
        "Safer Cities"
    ]


@pytest.mark.django_db
def test_every_portal_model_is_cleaned_when_saved_whichever_app_it_moved_to():
    """The pre_save cleaning follows CleanTextModel, not a list of app labels: people and places, which
    moved to apps of their own in issue 19, are cleaned like the rest (the list had missed `people`)."""
    from core.text import CleanTextModel
    from people.models import Organization, Person
    from places.models import City

    person = Person.objects.create(name="Ana\x0b Mari\u0301a", slug="ana")
    organization = Organization.objects.create(name="Ide\x00aborn", slug="ideaborn")
    city = City.objects.create(name="Bogota\u0301", slug="bogota")
    assert Person.objects.get(pk=person.pk).name == "Ana Mar\u00eda"
    assert Organization.objects.get(pk=organization.pk).name == "Ideaborn"
    assert City.objects.get(pk=city.pk).name == "Bogot\u00e1"
    portal_models = [m for m in apps.get_models() if m.__module__.split(".")[0] in {"people", "places", "core"}]
    assert all(issubclass(model, CleanTextModel) for model in portal_models if model._meta.app_label != "core")
