"""Following a harvest while it runs (issue 21; docs/harvesting.md, "Following a run"): the task worker
writes each page's progress on the run, committed on its own, so the admin (another connection) shows
"Listing: page 1, 2 records read." while the source is still answering; the run's page reloads itself
until the run ends, the source's page follows its latest run; a failed run keeps its last progress and
writes no candidate.

The repository is a loopback server answering the recorded four-page ListRecords (tests/fixtures/harvest/
SOURCES.md) whose second page waits on an event until the test has read the admin's pages."""

import threading

import pytest
from django.db import connections
from django.urls import reverse

from harvest.models import HarvestCandidate, HarvestRun, RunPhase, RunStatus, Source
from harvest.services import run_harvest, start_run
from tests.harvest_helpers import XML, LoopbackServer, allow_loopback_sources, fixture
from tests.members_helpers import run_task_worker

REFRESH = '<meta http-equiv="refresh" content="5">'


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    allow_loopback_sources(settings)


@pytest.fixture
def repository():
    server = LoopbackServer(lambda path, query: (404, {}, b""))
    server.second_page_asked = threading.Event()

    def route(path, query):
        token = query.get("resumptionToken")
        if token == "ListRecords2.xml":
            server.second_page_asked.set()
            server.release.wait(timeout=60)  # until the test has looked (close() releases it too)
        return 200, XML, fixture(f"oai-{token}" if token else "oai-ListRecords.xml")

    server.set_route(route)
    yield server
    server.close()


def look_while_running(client, repository, urls, seen):
    """In another thread (another database connection): wait until the second page is asked for, read
    each of `urls` through `client`, then let the repository answer."""
    try:
        if repository.second_page_asked.wait(timeout=60):
            seen.update({name: client.get(url) for name, url in urls.items()})
    except BaseException as error:  # noqa: BLE001 (reported by the test's thread)
        seen["error"] = error
    finally:
        repository.release.set()
        connections.close_all()


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)  # the worker's progress is committed, read by another connection
def test_the_admin_shows_a_running_harvests_progress_and_then_its_end(organizer_client, repository):
    source = Source.objects.create(kind="oai", name="Recorded repository", oai_base_url=f"{repository.url}/oai")
    response = organizer_client.post(
        reverse("admin:harvest_source_changelist"), {"action": "harvest_now", "_selected_action": [source.pk]}
    )
    assert response.status_code == 302
    run = HarvestRun.objects.get()
    run_page = reverse("admin:harvest_harvestrun_change", args=[run.pk])
    source_page = reverse("admin:harvest_source_change", args=[source.pk])
    progress = reverse("admin:harvest_harvestrun_progress", args=[run.pk])

    queued = organizer_client.get(run_page).content.decode()
    assert "Queued: waiting for the task worker." in queued and REFRESH in queued

    seen = {}
    urls = {
        "run": run_page,
        "source": source_page,
        "progress": progress,
        "list": reverse("admin:harvest_harvestrun_changelist"),
    }
    observer = threading.Thread(target=look_while_running, args=(organizer_client, repository, urls, seen))
    observer.start()
    run_task_worker()  # the harvest: its second page waits until the observer has looked
    observer.join(timeout=60)
    assert not observer.is_alive() and "error" not in seen, seen.get("error")

    # Mid-way: the first page's records, read in another connection while the run still lists.
    running = seen["run"].content.decode()
    assert "Listing: page 1, 2 records read." in running
    assert "Running" in running and REFRESH in running
    assert "Listing: page 1, 2 records read." in seen["list"].content.decode()
    on_source = seen["source"].content.decode()
    assert "Listing: page 1, 2 records read." in on_source
    assert f'data-run-progress="{progress}"' in on_source and REFRESH not in on_source  # the form never reloads
    assert seen["progress"].json() == {
        "text": "Listing: page 1, 2 records read.",
        "finished": False,
        "status": "running",
    }

    # The end: four pages, eight records; the pages stop reloading.
    run.refresh_from_db()
    assert (run.status, run.phase, run.pages, run.records) == (RunStatus.DONE, RunPhase.DONE, 4, 8)
    done = organizer_client.get(run_page).content.decode()
    assert "Done: 4 pages, 8 records read." in done and REFRESH not in done
    on_source = organizer_client.get(source_page).content.decode()
    assert "Done: 4 pages, 8 records read." in on_source and "data-run-progress" not in on_source
    assert organizer_client.get(progress).json()["finished"] is True


def test_a_failed_run_keeps_its_last_progress_and_writes_no_candidate(organizer_client):
    def route(path, query):
        token = query.get("resumptionToken")
        if token == "ListRecords3.xml":
            return 500, {}, b"Internal Server Error"
        return 200, XML, fixture(f"oai-{token}" if token else "oai-ListRecords.xml")

    server = LoopbackServer(route)
    try:
        source = Source.objects.create(kind="oai", name="Failing repository", oai_base_url=f"{server.url}/oai")
        run = start_run(source=source, enqueue=False)
        assert run_harvest(run) == RunStatus.FAILED
    finally:
        server.close()
    run.refresh_from_db()
    assert (run.phase, run.pages, run.records) == (RunPhase.LISTING, 2, 4)
    assert "HTTP 500" in run.error and not HarvestCandidate.objects.exists()
    page = organizer_client.get(reverse("admin:harvest_harvestrun_change", args=[run.pk])).content.decode()
    assert "Failed (Listing: page 2, 4 records read)." in page and REFRESH not in page


def test_the_progress_of_another_staff_members_view_needs_the_view_permission(client, django_user_model):
    source = Source.objects.create(kind="oai", name="Repository", oai_base_url="https://repository.example.org/oai")
    run = start_run(source=source, enqueue=False)
    staff = django_user_model.objects.create_user("sam", password="x", is_staff=True)  # no harvest permission
    client.force_login(staff)
    response = client.get(reverse("admin:harvest_harvestrun_progress", args=[run.pk]))
    assert response.status_code == 403
