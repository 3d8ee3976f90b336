"""Harvesting end to end (issue 21; docs/harvesting.md): an organizer registers a source in the admin, runs
a harvest (the task worker), sees the candidates, accepts some; accepted records become draft entries
with their provenance; later runs are incremental, list what changed or was withdrawn upstream, and
never overwrite what an organizer edited. Sources are servers on a loopback port answering recorded
responses (tests/fixtures/harvest/SOURCES.md)."""

import json
import logging

import pytest
from django.core.management import call_command
from django.urls import reverse

from depository.models import Entry, EntryStatus
from harvest.models import (
    CandidateKind,
    CandidateStatus,
    HarvestCandidate,
    HarvestRun,
    Provenance,
    RunStatus,
    Source,
)
from harvest.services import accept_candidates, run_harvest
from tests.depository_helpers import make_entry
from tests.harvest_helpers import JSON, XML, allow_loopback_sources, fixture, harvest
from tests.members_helpers import run_task_worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    allow_loopback_sources(settings)


def oai_pages(path, query):
    """The recorded repository: four pages chained by resumption tokens; a `from` after its last
    datestamp matches nothing."""
    if query.get("from"):
        return 200, XML, fixture("oai-noRecordsMatch.xml")
    token = query.get("resumptionToken")
    return 200, XML, fixture(f"oai-{token}" if token else "oai-ListRecords.xml")


def oai_source(server, **fields):
    return Source.objects.create(kind="oai", name="Recorded repository", oai_base_url=f"{server.url}/oai", **fields)


@pytest.mark.django_db(transaction=True)  # the harvest is queued when the admin's action commits
def test_an_organizer_registers_an_oai_source_harvests_and_accepts(organizer_client, server):
    server.set_route(oai_pages)
    response = organizer_client.post(
        reverse("admin:harvest_source_add"),
        {"kind": "oai", "name": "Recorded repository", "oai_base_url": f"{server.url}/oai", "enabled": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get()
    response = organizer_client.post(
        reverse("admin:harvest_source_changelist"), {"action": "harvest_now", "_selected_action": [source.pk]}
    )
    assert response.status_code == 302
    assert HarvestRun.objects.get().status == RunStatus.QUEUED
    run_task_worker()

    run = HarvestRun.objects.get()
    assert run.status == RunStatus.DONE, run.error
    # Four pages, eight records: the resumption tokens were followed to the end.
    assert [query.get("resumptionToken") for _path, query, _h in server.requests] == [
        None, "ListRecords2.xml", "ListRecords3.xml", "ListRecords4.xml"]  # fmt: skip
    assert server.requests[0][1] == {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    assert (run.records, run.new_count, run.error_count, run.unchanged_count) == (8, 1, 1, 1)
    new = HarvestCandidate.objects.get(kind=CandidateKind.NEW)
    assert new.upstream_id == "oai:test.example.com:1585322" and new.title == "Sample Title"
    assert new.link == "http://test.example.com/publication/1585322"
    # The deleted header without an identifier is an error candidate; the others are fine.
    error = HarvestCandidate.objects.get(kind=CandidateKind.ERROR)
    assert "without an identifier" in error.reason
    assert not Entry.objects.exists()  # nothing reaches the depository before a decision

    page = organizer_client.get(reverse("admin:harvest_harvestcandidate_changelist") + f"?run__id__exact={run.pk}")
    assert "Sample Title" in page.content.decode()
    response = organizer_client.post(
        reverse("admin:harvest_harvestcandidate_changelist"),
        {"action": "accept", "_selected_action": [new.pk, error.pk]},
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert entry.status == EntryStatus.DRAFT and entry.title == "Sample Title" and entry.year == 2010
    assert entry.publisher == "Sample Publisher" and entry.language == "en"
    provenance = Provenance.objects.get(entry=entry)
    assert (provenance.source, provenance.upstream_id) == (source, "oai:test.example.com:1585322")
    assert provenance.datestamp == "2011-01-10T10:19:23Z"
    assert provenance.link == "http://test.example.com/publication/1585322"
    error.refresh_from_db()
    assert error.status == CandidateStatus.PENDING  # an error cannot be accepted

    # The entry page shows where the record came from (the organizer previews the draft).
    page = organizer_client.get(entry.get_absolute_url()).content.decode()
    assert "Source of this record" in page and "oai:test.example.com:1585322" in page

    # The next run is incremental: from the last datestamp, and nothing new matches.
    source.refresh_from_db()
    assert source.last_datestamp == "2011-07-18T16:31:00Z"
    organizer_client.post(
        reverse("admin:harvest_source_changelist"), {"action": "harvest_now", "_selected_action": [source.pk]}
    )
    run_task_worker()
    second = HarvestRun.objects.latest("pk")
    assert server.requests[-1][1]["from"] == "2011-07-18T16:31:00Z"
    assert second.status == RunStatus.DONE and second.candidates.count() == 0


def accepted_oai_entry(server, organizer):
    server.set_route(oai_pages)
    source = oai_source(server)
    harvest(source)
    accept_candidates(candidates=HarvestCandidate.objects.filter(kind=CandidateKind.NEW), user=organizer)
    return source, Entry.objects.get()


def test_a_change_upstream_is_a_diff_to_accept_and_an_organizers_edit_is_kept(server, organizer, organizer_client):
    source, entry = accepted_oai_entry(server, organizer)
    entry.publisher = "Publisher as the organizer corrected it"
    entry.save()
    server.set_route(lambda path, query: (200, XML, fixture("oai-changed.xml")))

    run = harvest(source)
    assert run.changed_count == 1
    changed = HarvestCandidate.objects.get(kind=CandidateKind.CHANGED)
    assert changed.entry_id == entry.pk
    # Only what changed upstream is offered: the title; never the publisher the organizer edited.
    assert changed.diff == [["title", "Sample Title", "Sample Title, revised"]]
    page = organizer_client.get(reverse("admin:harvest_harvestcandidate_change", args=[changed.pk])).content.decode()
    assert "Sample Title, revised" in page and "on the entry" in page
    entry.refresh_from_db()
    assert entry.title == "Sample Title"  # not applied before it is accepted

    accept_candidates(candidates=HarvestCandidate.objects.filter(pk=changed.pk), user=organizer)
    entry.refresh_from_db()
    assert entry.title == "Sample Title, revised"
    assert entry.publisher == "Publisher as the organizer corrected it"
    assert Provenance.objects.get(entry=entry).datestamp == "2012-03-01T08:00:00Z"


def test_a_deletion_upstream_is_flagged_and_applied_only_when_accepted(server, organizer):
    source, entry = accepted_oai_entry(server, organizer)
    server.set_route(lambda path, query: (200, XML, fixture("oai-deleted.xml")))
    run = harvest(source)
    withdrawn = HarvestCandidate.objects.get(kind=CandidateKind.WITHDRAWN)
    assert run.withdrawn_count == 1 and withdrawn.entry_id == entry.pk
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT  # flagged, never silently applied
    accept_candidates(candidates=HarvestCandidate.objects.filter(pk=withdrawn.pk), user=organizer)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ARCHIVED and Provenance.objects.get(entry=entry).withdrawn_upstream


@pytest.mark.parametrize("failure", ["badResumptionToken", "500", "timeout"])
def test_a_source_failing_halfway_leaves_a_failed_run_and_nothing_written(server, settings, caplog, failure):
    settings.HARVEST_TIMEOUT_SECONDS = 1

    def route(path, query):
        if not query.get("resumptionToken"):
            return 200, XML, fixture("oai-ListRecords.xml")
        if failure == "badResumptionToken":
            return 200, XML, fixture("oai-badResumptionToken.xml")
        if failure == "500":
            return 500, {"Content-Type": "text/plain"}, b"Internal Server Error"
        server.release.wait(30)  # past the client's timeout
        return 200, XML, b""

    server.set_route(route)
    source = oai_source(server)
    with caplog.at_level(logging.WARNING, logger="harvest.services"):
        run = harvest(source)
    assert run.status == RunStatus.FAILED and run.finished_at
    expected = {"badResumptionToken": "BadResumptionToken", "500": "HTTP 500", "timeout": "timed out"}[failure]
    assert expected in run.error
    assert expected in caplog.text
    assert not HarvestCandidate.objects.exists()
    source.refresh_from_db()
    assert source.last_datestamp == ""  # the next run starts from the same place


def zotero_routes(path, query):
    if path.endswith("/deleted"):
        return 200, {**JSON, "Last-Modified-Version": "7"}, fixture("zotero-deleted.json")
    name = "zotero-items-since.json" if query.get("since") else "zotero-items.json"
    return 200, {**JSON, "Last-Modified-Version": "7" if query.get("since") else "5"}, fixture(name)


def test_a_zotero_library_is_harvested_by_version_with_its_deletions(
    server, settings, organizer, organizer_client, caplog
):
    settings.HARVEST_ZOTERO_API = server.url
    server.set_route(zotero_routes)
    make_entry("Sherlock Holmes in Babylon (already here)", doi="10.2307/2321200")
    source = Source.objects.create(
        kind="zotero", name="Z public library", zotero_library_type="users", zotero_library_id="475425",
        zotero_api_key="SECRETKEY1234abcd",
    )  # fmt: skip
    with caplog.at_level(logging.DEBUG):
        run = harvest(source)
    path, query, headers = server.requests[0]
    assert path == "/users/475425/items" and query["format"] == "csljson" and "since" not in query
    assert headers["Zotero-API-Key"] == "SECRETKEY1234abcd" and headers["Zotero-API-Version"] == "3"
    assert "SECRETKEY1234abcd" not in caplog.text
    assert (run.new_count, run.duplicate_count) == (2, 1)
    duplicate = HarvestCandidate.objects.get(kind=CandidateKind.DUPLICATE)
    assert duplicate.upstream_id == "PQKBRC33" and duplicate.reason == "same DOI"
    source.refresh_from_db()
    assert source.zotero_library_version == 5
    accept_candidates(candidates=HarvestCandidate.objects.filter(kind=CandidateKind.NEW), user=organizer)
    book = Provenance.objects.get(upstream_id="B2VNV5Q7").entry
    assert book.isbn.replace("-", "") == "9780393075076"  # ISBN-10 0393075079 as ISBN-13
    assert book.item_type == "book" and book.edition == "1st ed" and book.creators.get().family == "Higham"
    assert Provenance.objects.get(entry=book).link == "https://www.zotero.org/users/475425/items/B2VNV5Q7"

    second = harvest(source)
    assert [q.get("since") for _p, q, _h in server.requests[1:]] == ["5", "5"]
    assert (second.changed_count, second.withdrawn_count) == (1, 1)
    assert HarvestCandidate.objects.get(run=second, kind=CandidateKind.CHANGED).diff == [
        ["edition", "1st ed", "2nd ed"]
    ]
    assert HarvestCandidate.objects.get(run=second, kind=CandidateKind.WITHDRAWN).upstream_id == "6XDC27WD"
    source.refresh_from_db()
    assert source.zotero_library_version == 7

    # The key is never shown back in full in the admin.
    page = organizer_client.get(reverse("admin:harvest_source_change", args=[source.pk])).content.decode()
    assert "SECRETKEY1234abcd" not in page and "…abcd" in page
    # Saving the form with the key left blank keeps it.
    data = {"kind": "zotero", "name": "Z public library", "zotero_library_type": "users",
            "zotero_library_id": "475425", "enabled": "on", "zotero_api_key": ""}  # fmt: skip
    assert organizer_client.post(reverse("admin:harvest_source_change", args=[source.pk]), data).status_code == 302
    source.refresh_from_db()
    assert source.zotero_api_key == "SECRETKEY1234abcd"


def test_a_page_of_reliefweb_reports(server, settings, organizer):
    settings.HARVEST_RELIEFWEB_API = f"{server.url}/v2"
    settings.RELIEFWEB_APPNAME = "twg-portal-tests"

    def route(path, query):
        page = "reliefweb-reports-2.json" if query.get("offset") not in (None, "0") else "reliefweb-reports-1.json"
        return 200, JSON, fixture(page)

    server.set_route(route)
    source = Source.objects.create(kind="reliefweb", name="ReliefWeb urban violence", reliefweb_query="urban violence")
    run = harvest(source)
    assert run.status == RunStatus.DONE, run.error
    path, query, _headers = server.requests[0]
    assert (
        path == "/v2/reports" and query["appname"] == "twg-portal-tests" and query["query[value]"] == "urban violence"
    )
    assert run.new_count == 3
    accept_candidates(candidates=HarvestCandidate.objects.all(), user=organizer)
    report = Provenance.objects.get(upstream_id="3670541").entry
    assert (
        report.item_type == "report" and report.year == 2020 and report.creators.get().name.startswith("International")
    )
    provenance = Provenance.objects.get(entry=report)
    assert provenance.files == [
        "https://reliefweb.int/sites/reliefweb.int/files/resources/roap_covid_response_sitrep_18.pdf"
    ]
    source.refresh_from_db()
    assert source.last_datestamp == "2020-09-17T06:12:00+00:00"


def test_reliefweb_reports_as_the_api_recorded_them(server, settings, organizer, organizer_client):
    """The first page of a real ReliefWeb answer, recorded in September 2020 (tests/fixtures/harvest/SOURCES.md):
    ten reports whose sources carry every field the API gives (long names, types, disclaimers) and whose
    files carry previews. All ten become entries with their full titles, creators and document links."""
    settings.HARVEST_RELIEFWEB_API = f"{server.url}/v2"
    settings.RELIEFWEB_APPNAME = "twg-portal-tests"
    recorded = fixture("reliefweb-v1-reports-recorded.json")
    # The recorded answer names a next page (14 reports, 10 given); that page was not recorded: an empty page.
    server.set_route(
        lambda path, query: (200, JSON, recorded if query.get("offset") in (None, "0") else b'{"count": 0, "data": []}')
    )
    source = Source.objects.create(kind="reliefweb", name="ReliefWeb Nepal", reliefweb_query="Nepal")
    run = harvest(source)
    assert run.status == RunStatus.DONE, run.error
    assert (run.records, run.new_count, run.error_count) == (10, 10, 0)
    assert [query.get("offset") for _path, query, _headers in server.requests] == ["0", "100"]
    accept_candidates(candidates=HarvestCandidate.objects.all(), user=organizer)
    logistics = Provenance.objects.get(upstream_id="3670180")
    assert logistics.entry.title == "Pacific - Airport Restrictions Information (Updated 15 September 2020)"
    assert [c.name for c in logistics.entry.creators.order_by("position")] == [
        "World Food Programme",
        "Logistics Cluster",
    ]
    assert logistics.link == (
        "https://reliefweb.int/report/australia/pacific-airport-restrictions-information-updated-15-september-2020-0"
    )
    assert Provenance.objects.get(upstream_id="3670037").files == [
        "https://reliefweb.int/sites/reliefweb.int/files/resources/"
        "DCA%20COVID-19%20and%20Flood%20Response_SITREP%20%23XXIV_Final%20.pdf"
    ]
    page = organizer_client.get(logistics.entry.get_absolute_url()).content.decode()
    assert "Logistics Cluster" in page and "pacific-airport-restrictions-information" in page
    source.refresh_from_db()
    assert source.last_datestamp == "2020-09-17T00:00:00+00:00"


@pytest.mark.parametrize(
    "status, recorded, hint",
    [
        (403, "reliefweb-403-unapproved-appname.json", "RELIEFWEB_APPNAME"),
        (400, "reliefweb-400-missing-appname.json", "RELIEFWEB_APPNAME"),
        (410, "reliefweb-410-v1-decommissioned.json", "HARVEST_RELIEFWEB_API"),
    ],
)
def test_reliefweb_refusing_the_request_fails_the_run_with_its_own_message(server, settings, status, recorded, hint):
    """ReliefWeb answers only appnames it approved, and only its current API version: its recorded
    refusal ends the run FAILED, saying why and what to set, and writes nothing."""
    settings.HARVEST_RELIEFWEB_API = f"{server.url}/v2"
    settings.RELIEFWEB_APPNAME = "not-approved"
    server.set_route(lambda path, query: (status, JSON, fixture(recorded)))
    source = Source.objects.create(kind="reliefweb", name="ReliefWeb", reliefweb_query="urban violence")
    run = harvest(source)
    assert run.status == RunStatus.FAILED
    message = json.loads(fixture(recorded))["error"]["message"]
    assert f"HTTP {status}" in run.error and message in run.error and hint in run.error
    assert not HarvestCandidate.objects.exists()
    source.refresh_from_db()
    assert source.last_datestamp == ""


def test_the_portals_own_oai_pmh_is_a_source_whose_records_are_duplicates(live_server, organizer, settings):
    """A second, independent OAI-PMH implementation: the portal's own /oai/ (depository/oai/)."""
    entry = make_entry("Safer cities through prevention", status="published", year=2015)
    source = Source.objects.create(kind="oai", name="This portal", oai_base_url=f"{live_server.url}/oai/")
    run = HarvestRun.objects.create(source=source)
    assert run_harvest(run) == RunStatus.DONE, HarvestRun.objects.get().error
    candidate = HarvestCandidate.objects.get()
    assert candidate.kind == CandidateKind.DUPLICATE and candidate.entry_id == entry.pk


def test_the_harvest_command_queues_the_enabled_sources(server):
    oai_source(server)
    Source.objects.create(kind="oai", name="Switched off", oai_base_url=f"{server.url}/oai", enabled=False)
    call_command("harvest", verbosity=0)
    assert list(HarvestRun.objects.values_list("source__name", "status")) == [("Recorded repository", "queued")]
