"""Conditional answers notice every change of what they show (issue 22, finding 7).

Last-Modified of /api/entries/<slug> and /api/entries, OAI-PMH datestamps, the feed's <updated> and
the sitemap's <lastmod> all read Entry.updated_at; statement triggers (depository/sql/freshness_v1.sql,
meetings 0006) move it in the same transaction when a creator, a linked person, a file, a term, a tag
or a meeting the entry shows changes. Each kind of change: the 304 is no longer returned.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from lxml import etree
from taggit.models import Tag

from depository.models import Creator, Entry, InternalTag, Theme
from meetings.models import Meeting
from people.models import Disclosure, Person
from places.models import City
from tests.depository_helpers import attach, make_entry

pytestmark = pytest.mark.django_db
NS = {"oai": "http://www.openarchives.org/OAI/2.0/"}


@pytest.fixture(autouse=True)
def fresh_throttle(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fresh"}}
    cache.clear()


@pytest.fixture
def entry(media_roots):
    Person.objects.create(name="Hidden Person", slug="hidden-person", disclosure=Disclosure.PUBLIC)
    entry = make_entry(
        "Street lighting", slug="street-lighting", authors="Person, Hidden", themes=["lighting"], cities=["bogota"]
    )
    entry.tags.add("youth")
    entry.public_file = attach(entry, name="audit.pdf")
    Meeting.objects.create(name="Second meeting", slug="second", report=entry, start_date=timezone.now().date())
    return entry


def fetched(client, path):
    """(Last-Modified, body) of `path`, after moving every entry an hour back (so that a change a
    moment later is a later second: HTTP dates have whole seconds)."""
    Entry.objects.update(updated_at=timezone.now() - timedelta(hours=1))
    response = client.get(path)
    assert response.status_code == 200
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    return response["Last-Modified"], response.content


def made_private(entry):
    Person.objects.filter(slug="hidden-person").update(disclosure=Disclosure.ORGANIZERS)


def file_hidden(entry):
    entry.public_file.is_public = False
    entry.public_file.save()


CHANGES = {
    "linked person lowered to organizers-only": made_private,
    "file made non-public": file_hidden,
    "file added": lambda entry: attach(entry, name="annex.pdf"),
    "creator added": lambda entry: Creator.objects.create(entry=entry, family="Moser", position=5),
    "creator renamed": lambda entry: Creator.objects.filter(entry=entry).update(given="Visible"),
    "tag added": lambda entry: entry.tags.add("lighting"),
    "tag renamed": lambda entry: Tag.objects.filter(name="youth").update(name="young people"),
    "tag made internal": lambda entry: InternalTag.objects.create(tag=Tag.objects.get(name="youth")),
    "theme renamed in Spanish": lambda entry: Theme.objects.filter(slug="lighting").update(name_es="Alumbrado"),
    "theme added": lambda entry: entry.themes.add(Theme.objects.create(name="Mediation", slug="mediation")),
    "city renamed": lambda entry: City.objects.filter(slug="bogota").update(name="Bogotá D.C."),
    "meeting renamed": lambda entry: Meeting.objects.filter(slug="second").update(name="2nd meeting"),
    "meeting relates the entry": lambda entry: Meeting.objects.create(
        name="Third", slug="third", start_date=timezone.now().date()
    ).related_entries.add(entry),
}


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("path", ["/api/entries/street-lighting", "/api/entries"])
def test_a_change_of_what_the_entry_shows_ends_the_304(client, entry, change, path):
    last_modified, _ = fetched(client, path)
    CHANGES[change](entry)
    response = client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 200
    assert response["Last-Modified"] != last_modified


def test_the_hidden_name_and_file_leave_the_answer(client, entry):
    last_modified, before = fetched(client, "/api/entries/street-lighting")
    assert b"Hidden" in before and b"audit.pdf" in before
    made_private(entry)
    file_hidden(entry)
    after = client.get("/api/entries/street-lighting", HTTP_IF_MODIFIED_SINCE=last_modified)
    assert after.status_code == 200
    assert b"Hidden" not in after.content and b"audit.pdf" not in after.content


def test_the_oai_datestamp_and_the_feed_move_too(client, entry, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"

    def datestamp():
        tree = etree.fromstring(client.get("/oai/", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}).content)
        return tree.findtext("oai:ListIdentifiers/oai:header/oai:datestamp", namespaces=NS)

    def feed_updated():
        tree = etree.fromstring(client.get("/depository/feed/").content)
        return tree.findtext("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}updated")

    fetched(client, "/api/entries/street-lighting")
    before = datestamp(), feed_updated()
    made_private(entry)
    assert datestamp() > before[0] and feed_updated() > before[1]


def test_a_write_that_changes_nothing_shown_touches_nothing(client, entry):
    last_modified, _ = fetched(client, "/api/entries/street-lighting")
    Person.objects.filter(slug="hidden-person").update(disclosure=Disclosure.PUBLIC)  # as it was
    entry.public_file.extraction_status = "done"  # the extraction's progress is not shown
    entry.public_file.save(update_fields=["extraction_status"])
    Person.objects.create(name="Unrelated Person", slug="unrelated")
    response = client.get("/api/entries/street-lighting", HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 304
