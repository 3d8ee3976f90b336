"""Full text of harvested records (issue 21; docs/harvesting.md, "Full text"): a source with "fetch full
text" has the document its accepted record links downloaded through the safe fetcher by the task worker,
stored as a public attachment that keeps the link as its source, its text extracted, and the entry found
by a word only inside the document. A source without it fetches nothing; a web page, a file over the
limit and a path robots.txt disallows are not saved.

The repository is a loopback server answering a recorded OAI-PMH response
(tests/fixtures/harvest/oai-fulltext.xml) whose record links a real PDF (tests/document_files.py)."""

import socket

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from depository.models import Attachment, Entry, ExtractionStatus
from depository.services import publish_entries
from harvest.models import CandidateKind, HarvestCandidate, HarvestRun, Provenance, RunStatus, Source
from harvest.services import accept_candidates, fetch_full_text, run_harvest, start_run
from harvest.tasks import fetch_full_text_task
from tests.document_files import pdf_bytes
from tests.harvest_helpers import JSON, XML, LoopbackServer, allow_loopback_sources, fixture
from tests.members_helpers import run_task_worker

PDF_PATH = "/bitstream/handle/10986/4417/safety-audits.pdf"
# A word only inside the PDF: not in the record's title, abstract, keywords or links.
WORD_INSIDE = "Quebradaverde"
PDF = pdf_bytes(f"The {WORD_INSIDE} walk began at the market and ended at the school gate.")
PDF_HEADERS = {"Content-Type": "application/pdf"}
ROBOTS_ALLOW_ALL = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow:\n")


@pytest.fixture(autouse=True)
def loopback_allowed(settings, media_roots):
    allow_loopback_sources(settings)


@pytest.fixture
def repository():
    """The recorded repository: ListRecords, robots.txt allowing everything, the PDF. A test changes
    `repository.routes` to answer otherwise."""
    server = LoopbackServer(lambda path, query: (404, {}, b""))
    records = fixture("oai-fulltext.xml").replace(b"http://repository.example.org", server.url.encode())
    server.routes = {
        "/oai/request": lambda: (200, XML, records),
        "/robots.txt": lambda: ROBOTS_ALLOW_ALL,
        PDF_PATH: lambda: (200, PDF_HEADERS, PDF),
    }
    server.set_route(lambda path, query: server.routes[path]() if path in server.routes else (404, {}, b""))
    yield server
    server.close()


def paths(server):
    return [path for path, _query, _headers in server.requests]


def full_text_source(server, *, fetch_full_text=True):
    return Source.objects.create(
        kind="oai", name="Recorded DSpace", oai_base_url=f"{server.url}/oai/request", fetch_full_text=fetch_full_text
    )


def harvested(source):
    run = start_run(source=source, enqueue=False)
    assert run_harvest(run) == RunStatus.DONE, HarvestRun.objects.get(pk=run.pk).error
    return HarvestCandidate.objects.get(run=run, kind=CandidateKind.NEW)


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)  # the fetch is queued when the acceptance commits
def test_an_accepted_record_gets_its_pdf_attached_extracted_and_found_by_a_word_inside(
    organizer_client, organizer, repository
):
    source = full_text_source(repository)
    candidate = harvested(source)
    document_url = f"{repository.url}{PDF_PATH}"
    assert candidate.files == [document_url]
    assert PDF_PATH not in paths(repository)  # nothing is downloaded before an organizer accepts

    response = organizer_client.post(
        reverse("admin:harvest_harvestcandidate_changelist"), {"action": "accept", "_selected_action": [candidate.pk]}
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert not entry.attachments.exists()  # queued for the worker, not fetched in the request
    run_task_worker()  # the download, then the text extraction it queues

    fetched = DBTaskResult.objects.get(task_path=fetch_full_text_task.module_path)
    assert fetched.return_value == f"attached {document_url}"
    attachment = Attachment.objects.get(entry=entry)
    assert attachment.is_public and attachment.content_type == "application/pdf"
    assert attachment.original_name == "safety-audits.pdf"
    # The link stays the source: on the attachment, and in the record's provenance.
    assert attachment.source_url == document_url
    assert Provenance.objects.get(entry=entry).files == [document_url]
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    assert attachment.extraction_status == ExtractionStatus.DONE, attachment.extraction_error
    assert WORD_INSIDE in attachment.extracted_text
    # robots.txt was read before the document, through the safe fetcher (its User-Agent).
    assert paths(repository).index("/robots.txt") < paths(repository).index(PDF_PATH)
    pdf_request = next(headers for path, _q, headers in repository.requests if path == PDF_PATH)
    assert pdf_request["User-Agent"] == django_settings.HARVEST_USER_AGENT

    # The organizer sees where the file came from on the entry page (a draft, previewed).
    page = organizer_client.get(entry.get_absolute_url()).content.decode()
    assert "safety-audits.pdf" in page and f'href="{document_url}"' in page

    # Published, the entry is found by a word that is only inside the PDF.
    publish_entries(entries=Entry.objects.filter(pk=entry.pk))
    visitor = Client()
    found = visitor.get("/depository/", {"q": WORD_INSIDE}).content.decode()
    assert "Community safety audits in informal settlements" in found
    assert "Community safety audits" not in visitor.get("/depository/", {"q": "Zanzibarlike"}).content.decode()


@pytest.fixture
def no_connection_to(monkeypatch):
    """`no_connection_to(server)`: any connection but the database's fails the test."""
    database = (django_settings.DATABASES["default"]["HOST"], int(django_settings.DATABASES["default"]["PORT"] or 5432))
    real_connect = socket.socket.connect

    def guard(server):
        def connect(self, address):
            if isinstance(address, tuple) and address[1] != database[1]:
                pytest.fail(f"a connection to {address} was opened")
            return real_connect(self, address)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect)

    return guard


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
def test_a_source_without_full_text_fetches_nothing(organizer_client, repository, no_connection_to):
    source = full_text_source(repository, fetch_full_text=False)
    candidate = harvested(source)
    requests_before = list(paths(repository))
    no_connection_to(repository)
    organizer_client.post(
        reverse("admin:harvest_harvestcandidate_changelist"), {"action": "accept", "_selected_action": [candidate.pk]}
    )
    run_task_worker()
    entry = Entry.objects.get()
    assert not entry.attachments.exists()
    assert not DBTaskResult.objects.filter(task_path=fetch_full_text_task.module_path).exists()
    assert paths(repository) == requests_before


def accepted_entry(source, organizer, django_capture_on_commit_callbacks):
    """The harvested record accepted; the fetch it queues is not run (the test calls it)."""
    candidate = harvested(source)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        accept_candidates(candidates=HarvestCandidate.objects.filter(pk=candidate.pk), user=organizer)
    assert len(callbacks) == 1  # fetch_full_text_task, queued once the acceptance commits
    return Entry.objects.get()


HTML_PAGE = b"<!DOCTYPE html><html><head><title>Safety audits</title></head><body>Download</body></html>"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type",
    [
        "text/html; charset=utf-8",  # refused from its type, before reading
        "application/octet-stream",  # a "download" that is a web page: told from its content
        "text/plain",
    ],
)
def test_a_link_to_a_web_page_is_not_saved(repository, organizer, django_capture_on_commit_callbacks, content_type):
    repository.routes[PDF_PATH] = lambda: (200, {"Content-Type": content_type}, HTML_PAGE)
    entry = accepted_entry(full_text_source(repository), organizer, django_capture_on_commit_callbacks)
    outcome = fetch_full_text(entry.pk)
    assert outcome.startswith("not fetched")
    assert not Attachment.objects.exists()
    assert PDF_PATH in paths(repository)


@pytest.mark.django_db
def test_a_pdf_served_as_a_generic_download_is_saved(repository, organizer, django_capture_on_commit_callbacks):
    """DSpace and many repositories send every bitstream as application/octet-stream: the content decides."""
    repository.routes[PDF_PATH] = lambda: (200, {"Content-Type": "application/octet-stream"}, PDF)
    entry = accepted_entry(full_text_source(repository), organizer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert fetch_full_text(entry.pk).startswith("attached")
    assert len(callbacks) == 1  # the text extraction, queued
    assert Attachment.objects.get().content_type == "application/pdf"
    # Fetched once: a second run of the task (a retry) attaches nothing more.
    assert fetch_full_text(entry.pk) == "already attached"
    assert paths(repository).count(PDF_PATH) == 1


@pytest.mark.django_db
def test_a_file_over_the_size_limit_stops_at_the_limit_and_saves_nothing(
    repository, organizer, django_capture_on_commit_callbacks, settings
):
    settings.HARVEST_MAX_DOCUMENT_BYTES = 256 * 1024
    served = []

    def endless_pdf():
        chunk = b"%PDF-1.4 " + b"x" * (64 * 1024 - 9)
        while True:
            served.append(len(chunk))
            yield chunk

    # No Content-Length: only counting while reading can stop it.
    repository.routes[PDF_PATH] = lambda: (200, PDF_HEADERS, endless_pdf())
    entry = accepted_entry(full_text_source(repository), organizer, django_capture_on_commit_callbacks)
    outcome = fetch_full_text(entry.pk)
    assert "larger than 262144 bytes" in outcome
    assert not Attachment.objects.exists()
    # The server wrote into the socket's buffers at most; the reader stopped and closed the connection.
    assert sum(served) < 64 * 1024 * 1024


@pytest.mark.django_db
def test_robots_txt_disallowing_the_path_is_honoured(repository, organizer, django_capture_on_commit_callbacks):
    robots = b"User-agent: *\nDisallow: /bitstream/\n"
    repository.routes["/robots.txt"] = lambda: (200, {"Content-Type": "text/plain"}, robots)
    entry = accepted_entry(full_text_source(repository), organizer, django_capture_on_commit_callbacks)
    outcome = fetch_full_text(entry.pk)
    assert "robots.txt" in outcome
    assert not Attachment.objects.exists()
    assert "/robots.txt" in paths(repository) and PDF_PATH not in paths(repository)


# -- Zotero attachments ---------------------------------------------------------------------------------
# A Zotero library (the recorded "Z public library", tests/fixtures/harvest/SOURCES.md) served on one loopback
# server as Zotero's API, its stored files on another (Zotero's file storage, to which the API redirects):
# the book B2VNV5Q7 has a stored PDF and a web-page snapshot, 6XDC27WD a linked PDF, PQKBRC33 a linked local
# file, and one attachment belongs to an item this run does not read.
ZOTERO_KEY = "SECRETKEY1234abcd"
ZOTERO_WORD = "Baskervillequay"  # only inside the stored PDF
ZOTERO_PDF = pdf_bytes(f"Conan Doyle wrote the {ZOTERO_WORD} chapter on the train to Edinburgh.")
STORED = "/zotero-storage/X8WKSQ2B/adventures-of-conan-doyle.pdf"
ENCLOSURE = "/users/475425/items/X8WKSQ2B/file/view"


@pytest.fixture
def zotero(settings):
    storage = LoopbackServer(lambda path, query: (404, {}, b""))
    api = LoopbackServer(lambda path, query: (404, {}, b""))
    settings.HARVEST_ZOTERO_API = api.url
    attachments = (
        fixture("zotero-attachments.json")
        .replace(b"https://api.zotero.org", api.url.encode())
        .replace(b"https://files.example.org", storage.url.encode())
    )

    def api_route(path, query):
        if path == "/users/475425/items" and query.get("format") == "csljson":
            return 200, {**JSON, "Last-Modified-Version": "5"}, fixture("zotero-items.json")
        if path == "/users/475425/items" and query.get("itemType") == "attachment":
            return 200, {**JSON, "Last-Modified-Version": "6", "Total-Results": "5"}, attachments
        if path == ENCLOSURE:  # Zotero's API redirects a stored file to its storage
            return 302, {"Location": f"{storage.url}{STORED}"}, b""
        return 404, {}, b""

    def storage_route(path, query):
        if path == STORED:
            return 200, PDF_HEADERS, ZOTERO_PDF
        return 404, {}, b""  # robots.txt: none, everything allowed

    api.set_route(api_route)
    storage.set_route(storage_route)
    yield api, storage
    api.close()
    storage.close()


def zotero_source(**fields):
    return Source.objects.create(
        kind="zotero", name="Z public library", zotero_library_type="users", zotero_library_id="475425", **fields
    )


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)  # the fetch is queued when the acceptance commits
def test_a_zotero_items_stored_pdf_is_fetched_with_the_key_to_the_api_only_and_found_by_a_word_inside(
    organizer, zotero
):
    api, storage = zotero
    source = zotero_source(fetch_full_text=True, zotero_api_key=ZOTERO_KEY)
    run = start_run(source=source, enqueue=False)
    assert run_harvest(run) == RunStatus.DONE, HarvestRun.objects.get(pk=run.pk).error
    # The attachments are asked once (all of them: not `since`), with the key, after the items.
    asked = [(path, query) for path, query, _headers in api.requests]
    assert asked[1] == (
        "/users/475425/items",
        {"format": "json", "itemType": "attachment", "limit": "100", "start": "0"},
    )
    assert all(headers["Zotero-API-Key"] == ZOTERO_KEY for _path, _query, headers in api.requests)
    assert HarvestRun.objects.get(pk=run.pk).pages == 2
    files = dict(HarvestCandidate.objects.filter(run=run).values_list("upstream_id", "files"))
    # The stored PDF's enclosure; the linked PDF's URL; no snapshot, no local file, no other item's file.
    assert files == {
        "B2VNV5Q7": [f"{api.url}{ENCLOSURE}"],
        "6XDC27WD": [f"{storage.url}/an-actor-and-a-rare-one.pdf"],
        "PQKBRC33": [],
    }
    assert not storage.requests and ENCLOSURE not in paths(api)  # nothing downloaded before a decision

    book = HarvestCandidate.objects.get(upstream_id="B2VNV5Q7")
    accept_candidates(candidates=HarvestCandidate.objects.filter(pk=book.pk), user=organizer)
    run_task_worker()  # the download, then the text extraction it queues

    fetched = DBTaskResult.objects.get(task_path=fetch_full_text_task.module_path)
    assert fetched.return_value == f"attached {api.url}{ENCLOSURE}"
    entry = Entry.objects.get()
    attachment = Attachment.objects.get(entry=entry)
    assert attachment.original_name == "adventures-of-conan-doyle.pdf"  # the stored file's name
    assert attachment.source_url == f"{api.url}{ENCLOSURE}" and attachment.is_public
    assert attachment.extraction_status == ExtractionStatus.DONE, attachment.extraction_error
    # The key went to Zotero's API, never to its file storage (another origin, reached by a redirect).
    enclosure_request = next(headers for path, _q, headers in api.requests if path == ENCLOSURE)
    assert enclosure_request["Zotero-API-Key"] == ZOTERO_KEY
    assert paths(storage) == ["/robots.txt", STORED]
    assert all("Zotero-API-Key" not in headers for _path, _query, headers in storage.requests)

    publish_entries(entries=Entry.objects.filter(pk=entry.pk))
    found = Client().get("/depository/", {"q": ZOTERO_WORD}).content.decode()
    assert "The Adventures of Conan Doyle" in found


@pytest.mark.django_db
def test_a_zotero_source_without_full_text_asks_for_no_attachments(zotero):
    api, _storage = zotero
    run = start_run(source=zotero_source(), enqueue=False)
    assert run_harvest(run) == RunStatus.DONE
    assert [query["format"] for _path, query, _headers in api.requests] == ["csljson"]
    assert not HarvestCandidate.objects.exclude(files=[]).exists()
