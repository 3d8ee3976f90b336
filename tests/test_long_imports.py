"""Issue 22, finding 5: long work in the request. One RIS record with 33,000 authors kept the confirm
request past the worker's timeout (a 500) and the import stayed "running" for ever, never to be
confirmed again. Now every import bounds the authors and editors of one record (a per-record error
saying why), runs a file with many of them in all by the task worker, and an import whose request or
worker died is found (nothing moved for a while, no task for it) and may be confirmed again."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.task_recovery import task_abandoned
from depository.creators import MAX_CREATORS_PER_ENTRY
from depository.models import Entry, EntryImport, EntryImportStatus, ImportStatus, ReferenceImport
from depository.references import SYNC_CREATOR_LIMIT
from depository.tasks import run_entry_import
from tests.members_helpers import run_task_worker
from tests.test_entry_spreadsheets import HEADER, csv_upload, dry_run, vocabulary  # noqa: F401
from tests.test_reference_import import upload

pytestmark = pytest.mark.django_db


def ris_record(title, authors):
    lines = "".join(f"AU  - Author{n}, Ana\n" for n in range(authors))
    return f"TY  - RPRT\n{lines}PY  - 2019\nTI  - {title}\nER  - \n\n"


def confirm(client, upload_row):
    return client.post(reverse("admin:depository_referenceimport_confirm", args=[upload_row.pk]))


def test_a_record_of_33000_authors_is_refused_with_a_reason_and_the_rest_imports(organizer_client):
    text = ris_record("Global burden of armed violence", 33_000) + ris_record("Safer cities in Colombia", 3)
    response = upload(organizer_client, "consortium.ris", text)
    assert response.status_code == 302
    page = organizer_client.get(response["Location"]).content.decode()
    assert "2 records (RIS): 1 new, 0 duplicates, 1 errors." in page
    assert f"33,000 authors and editors; at most {MAX_CREATORS_PER_ENTRY} are imported per record." in page
    checked = ReferenceImport.objects.get()
    assert confirm(organizer_client, checked).status_code == 302
    checked.refresh_from_db()
    assert (checked.status, checked.created_count) == (ImportStatus.DONE, 1)
    assert list(Entry.objects.values_list("title", flat=True)) == ["Safer cities in Colombia"]


@pytest.mark.django_db(transaction=True)  # the task is queued when the confirmation commits
def test_a_file_with_many_authors_in_all_is_imported_by_the_task_worker(organizer_client):
    per_record = MAX_CREATORS_PER_ENTRY
    records = SYNC_CREATOR_LIMIT // per_record + 1  # few records, too many authors for one request
    text = "".join(ris_record(f"Report number {n}", per_record) for n in range(records))
    upload(organizer_client, "many-authors.ris", text)
    checked = ReferenceImport.objects.get()
    confirm(organizer_client, checked)
    checked.refresh_from_db()
    assert checked.status == ImportStatus.QUEUED and not Entry.objects.exists()
    run_task_worker()
    checked.refresh_from_db()
    assert (checked.status, checked.created_count) == (ImportStatus.DONE, records)
    assert Entry.objects.get(title="Report number 0").creators.count() == per_record


def left_running(upload_row, *, minutes):
    """What a confirm request killed by the worker timeout leaves: RUNNING, not moving since."""
    ReferenceImport.objects.filter(pk=upload_row.pk).update(
        status=ImportStatus.RUNNING, processed=1, updated_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )


def test_an_import_whose_request_died_can_be_confirmed_again(organizer_client):
    response = upload(organizer_client, "two.ris", ris_record("Urban safety audit", 2) + ris_record("Gangs", 1))
    checked = ReferenceImport.objects.get()
    left_running(checked, minutes=1)  # as long as a request could still be at work: wait
    page = organizer_client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh"' in page and "Import 2 new entries" not in page
    confirm(organizer_client, checked)
    checked.refresh_from_db()
    assert checked.status == ImportStatus.RUNNING and not Entry.objects.exists()

    left_running(checked, minutes=10)
    page = organizer_client.get(response["Location"]).content.decode()
    assert "This import stopped before it finished" in page and "Import 2 new entries" in page
    assert '<meta http-equiv="refresh"' not in page
    assert confirm(organizer_client, checked).status_code == 302
    checked.refresh_from_db()
    assert (checked.status, checked.created_count) == (ImportStatus.DONE, 2)
    assert Entry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_import_with_a_task_still_waiting_for_it_is_not_stale(organizer_client):
    text = "".join(ris_record(f"Work number {n}", 1) for n in range(501))  # over the record limit: a task
    response = upload(organizer_client, "large.ris", text)
    checked = ReferenceImport.objects.get()
    confirm(organizer_client, checked)
    ReferenceImport.objects.filter(pk=checked.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    page = organizer_client.get(response["Location"]).content.decode()
    assert "This import stopped before it finished" not in page and '<meta http-equiv="refresh"' in page
    confirm(organizer_client, checked)  # a second confirmation queues nothing more
    run_task_worker()
    checked.refresh_from_db()
    assert (checked.status, checked.created_count) == (ImportStatus.DONE, 501)


def test_a_spreadsheet_row_with_too_many_authors_is_a_row_error(organizer_client, vocabulary):  # noqa: F811
    authors = "; ".join(f"Author{n}, Ana" for n in range(MAX_CREATORS_PER_ENTRY + 1))
    text = HEADER + f'Consortium report,consortium-report,tool,,"{authors}",,2020,en,,draft,,,,,\n'
    response = dry_run(organizer_client, csv_upload(text))
    content = response.content.decode()
    assert f"{MAX_CREATORS_PER_ENTRY + 1} authors and editors; at most {MAX_CREATORS_PER_ENTRY}" in content
    assert "Confirm import" not in content
    assert not Entry.objects.exists()


def large_spreadsheet(organizer_client, settings):
    """A file over ENTRY_IMPORT_BACKGROUND_ROWS: checked by the task worker, ready to import."""
    settings.ENTRY_IMPORT_BACKGROUND_ROWS = 1
    text = "title,slug,kind\nOne,,tool\nTwo,,tool\n"
    dry_run(organizer_client, SimpleUploadedFile("entries.csv", text.encode(), content_type="text/csv"))
    run_task_worker()
    job = EntryImport.objects.get()
    assert job.status == EntryImportStatus.CHECKED
    return job


@pytest.mark.django_db(transaction=True)
def test_a_spreadsheet_import_whose_worker_died_runs_again(organizer_client, settings):
    job = large_spreadsheet(organizer_client, settings)
    organizer_client.post(reverse("admin:depository_entryimport_confirm", args=[job.pk]))
    # The worker took the task, marked the file IMPORTING, and died; core.task_recovery queues the
    # task again (as here: the task is READY and the file IMPORTING).
    EntryImport.objects.filter(pk=job.pk).update(status=EntryImportStatus.IMPORTING)
    run_task_worker()
    job.refresh_from_db()
    assert job.status == EntryImportStatus.DONE
    assert sorted(Entry.objects.values_list("slug", flat=True)) == ["one", "two"]


@pytest.mark.django_db(transaction=True)
def test_a_spreadsheet_import_given_up_says_so(organizer_client, settings):
    job = large_spreadsheet(organizer_client, settings)
    EntryImport.objects.filter(pk=job.pk).update(status=EntryImportStatus.IMPORTING)
    # What core.task_recovery sends once a task was attempted TASK_MAX_ATTEMPTS times.
    task_abandoned.send(
        sender=None, task_path=run_entry_import.module_path, args=[job.pk], kwargs={}, reason="worker lost"
    )
    page = organizer_client.get(reverse("admin:depository_entryimport_change", args=[job.pk])).content.decode()
    assert "The task worker was stopped all 3 times it ran this file" in page
    job.refresh_from_db()
    assert job.status == EntryImportStatus.INVALID and not Entry.objects.exists()
