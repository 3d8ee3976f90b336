"""The failure and edge cases of issue 21's Done-when for the Zotero and ReliefWeb sources, as
tests/test_harvest.py has them for OAI-PMH: paging (Zotero's `start`, ReliefWeb's `offset`), nothing new
since the last run, a server that answers 500 or never answers, and a malformed record among good ones.
The sources are servers on a loopback port answering the recorded responses of
tests/fixtures/harvest/SOURCES.md (a page cut from them where a test needs a short page)."""

import json

import pytest

from harvest import sources
from harvest.models import CandidateKind, HarvestCandidate, RunStatus, Source
from tests.harvest_helpers import JSON, allow_loopback_sources, fixture, harvest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    allow_loopback_sources(settings)


def zotero_items():
    return json.loads(fixture("zotero-items.json"))["items"]


@pytest.fixture
def zotero(server, settings):
    settings.HARVEST_ZOTERO_API = server.url
    return Source.objects.create(kind="zotero", name="Z", zotero_library_type="users", zotero_library_id="475425")


@pytest.fixture
def reliefweb(server, settings):
    settings.HARVEST_RELIEFWEB_API = f"{server.url}/v2"
    settings.RELIEFWEB_APPNAME = "twg-portal-tests"
    return Source.objects.create(kind="reliefweb", name="ReliefWeb", reliefweb_query="urban violence")


# -- Zotero ----------------------------------------------------------------------------------------------
def test_zotero_pages_are_followed_by_start_until_a_short_page(server, zotero, monkeypatch):
    monkeypatch.setattr(sources, "ZOTERO_PAGE", 2)
    items = zotero_items()

    def route(path, query):
        start = int(query["start"])
        return 200, {**JSON, "Last-Modified-Version": "5"}, json.dumps({"items": items[start : start + 2]}).encode()

    server.set_route(route)
    run = harvest(zotero)
    assert run.status == RunStatus.DONE, run.error
    assert [(q["start"], q["limit"]) for _p, q, _h in server.requests] == [("0", "2"), ("2", "2")]
    assert run.records == 3 and run.new_count == 3


def test_zotero_with_nothing_new_since_the_last_version_is_a_run_with_no_candidates(server, zotero):
    zotero.zotero_library_version = 7
    zotero.save()

    def route(path, query):
        if path.endswith("/deleted"):
            return 200, {**JSON, "Last-Modified-Version": "7"}, b'{"items": []}'
        return 200, {**JSON, "Last-Modified-Version": "7"}, b'{"items": []}'

    server.set_route(route)
    run = harvest(zotero)
    assert run.status == RunStatus.DONE, run.error
    assert server.requests[0][1]["since"] == "7" and run.candidates.count() == 0
    zotero.refresh_from_db()
    assert zotero.zotero_library_version == 7


@pytest.mark.parametrize("failure", ["500", "timeout"])
def test_zotero_failing_leaves_a_failed_run_and_nothing_written(server, zotero, settings, failure):
    settings.HARVEST_TIMEOUT_SECONDS = 1

    def route(path, query):
        if failure == "500":
            return 500, {"Content-Type": "text/plain"}, b"An error occurred"
        server.release.wait(30)  # past the client's timeout
        return 200, JSON, b""

    server.set_route(route)
    run = harvest(zotero)
    assert run.status == RunStatus.FAILED and run.finished_at
    assert {"500": "HTTP 500", "timeout": "timed out"}[failure] in run.error
    assert not HarvestCandidate.objects.exists()
    zotero.refresh_from_db()
    assert zotero.zotero_library_version is None  # the next run starts from the same place


def test_a_malformed_zotero_item_is_an_error_candidate_and_the_others_go_on(server, zotero):
    body = json.dumps({"items": [*zotero_items(), "not an item"]}).encode()
    server.set_route(lambda path, query: (200, {**JSON, "Last-Modified-Version": "5"}, body))
    run = harvest(zotero)
    assert run.status == RunStatus.DONE, run.error
    assert (run.new_count, run.error_count) == (3, 1)
    assert "must be an object" in HarvestCandidate.objects.get(kind=CandidateKind.ERROR).reason


def test_zotero_answering_what_is_not_json_fails_the_run(server, zotero):
    server.set_route(lambda path, query: (200, JSON, b"<html>maintenance</html>"))
    run = harvest(zotero)
    assert run.status == RunStatus.FAILED and "not JSON" in run.error
    assert not HarvestCandidate.objects.exists()


# -- ReliefWeb -------------------------------------------------------------------------------------------
def test_reliefweb_with_nothing_new_since_the_last_run_is_a_run_with_no_candidates(server, reliefweb):
    reliefweb.last_datestamp = "2020-09-17T06:12:00+00:00"
    reliefweb.save()
    server.set_route(lambda path, query: (200, JSON, b'{"totalCount": 0, "count": 0, "data": []}'))
    run = harvest(reliefweb)
    assert run.status == RunStatus.DONE, run.error
    query = server.requests[0][1]
    assert query["filter[field]"] == "date.changed" and query["filter[value][from]"] == "2020-09-17T06:12:00+00:00"
    assert run.candidates.count() == 0 and len(server.requests) == 1
    reliefweb.refresh_from_db()
    assert reliefweb.last_datestamp == "2020-09-17T06:12:00+00:00"


@pytest.mark.parametrize("failure", ["500", "timeout"])
def test_reliefweb_failing_halfway_leaves_a_failed_run_and_nothing_written(server, reliefweb, settings, failure):
    settings.HARVEST_TIMEOUT_SECONDS = 1

    def route(path, query):
        if query.get("offset") in (None, "0"):
            return 200, JSON, fixture("reliefweb-reports-1.json")
        if failure == "500":
            return 500, {"Content-Type": "text/html"}, b"<h1>Internal Server Error</h1>"
        server.release.wait(30)  # past the client's timeout
        return 200, JSON, b""

    server.set_route(route)
    run = harvest(reliefweb)
    assert run.status == RunStatus.FAILED and run.finished_at
    assert len(server.requests) == 2  # the first page was read, the second failed
    assert {"500": "HTTP 500", "timeout": "timed out"}[failure] in run.error
    assert not HarvestCandidate.objects.exists()
    reliefweb.refresh_from_db()
    assert reliefweb.last_datestamp == ""


@pytest.mark.parametrize(
    "malformed",
    [
        {"id": "1"},  # no fields
        {"id": "2", "fields": {"title": "A report", "source": ["not an object"]}},
        {"id": "3", "fields": {"title": "A report", "date": "2020-09-17"}},
        "not a report",
    ],
)
def test_a_malformed_reliefweb_report_is_an_error_candidate_and_the_others_go_on(server, reliefweb, malformed):
    page = json.loads(fixture("reliefweb-reports-1.json"))
    page["data"].append(malformed)
    del page["links"]["next"]
    server.set_route(lambda path, query: (200, JSON, json.dumps(page).encode()))
    run = harvest(reliefweb)
    assert run.status == RunStatus.DONE, run.error
    assert (run.new_count, run.error_count) == (2, 1)
