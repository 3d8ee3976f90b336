"""Attachments: uploaded in the entry admin, checked by content, their text extracted by the real queue."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from depository.models import Attachment, Entry
from depository.models.attachments import ExtractionStatus
from depository.tasks import extract_attachment_text, extract_document_text
from tests.document_files import ELF_EXECUTABLE, docx_bytes, odt_bytes, pdf_bytes

BASE_DIR = Path(django_settings.BASE_DIR)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def entry(db):
    return Entry.objects.create(kind="publication", title="Urban safety and peacebuilding", slug="urban-safety")


def stored_files(root):
    return sorted(path.relative_to(root).as_posix() for path in Path(root).rglob("*") if path.is_file())


def entry_form(entry, *uploads, existing=()):
    """The entry change form as the admin posts it, with one attachment row per upload."""
    data = {
        "kind": entry.kind,
        "title": entry.title,
        "slug": entry.slug,
        "status": entry.status,
        "language": entry.language,
        "creators-TOTAL_FORMS": "0",
        "creators-INITIAL_FORMS": "0",
        "attachments-TOTAL_FORMS": str(len(existing) + len(uploads)),
        "attachments-INITIAL_FORMS": str(len(existing)),
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
        "_continue": "Save and continue editing",
    }
    for index, attachment in enumerate(existing):
        data[f"attachments-{index}-id"] = str(attachment.pk)
        data[f"attachments-{index}-entry"] = str(entry.pk)
        data[f"attachments-{index}-is_public"] = "on"
    for index, (name, content) in enumerate(uploads, start=len(existing)):
        data[f"attachments-{index}-file"] = SimpleUploadedFile(name, content)
        data[f"attachments-{index}-is_public"] = "on"
    return data


def change_url(entry):
    return reverse("admin:depository_entry_change", args=[entry.pk])


def run_db_worker(media_root, **environment):
    """`manage.py db_worker` as `make run` starts it, bounded by --batch: runs what is queued, then exits."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "MEDIA_ROOT": str(media_root),
        **environment,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class TestUploadInAdmin:
    def test_upload_records_the_file_and_queues_its_extraction(
        self, organizer_client, organizer, entry, media_root, django_capture_on_commit_callbacks
    ):
        content = pdf_bytes("Text inside the report")
        with django_capture_on_commit_callbacks(execute=True):
            response = organizer_client.post(
                change_url(entry), entry_form(entry, ("../../etc/تقرير السلامة.docx", content))
            )
        assert response.status_code == 302, response.context["errors"] if response.context else response
        attachment = Attachment.objects.get(entry=entry)
        # The type comes from the content (a PDF named .docx), the stored name is generated.
        assert attachment.content_type == "application/pdf"
        assert attachment.file.name.startswith("attachments/") and attachment.file.name.endswith(".pdf")
        assert "etc" not in attachment.file.name
        assert attachment.original_name == "تقرير السلامة.docx"
        assert attachment.size == len(content)
        assert len(attachment.sha256) == 64
        assert attachment.uploaded_by == organizer
        assert attachment.extraction_status == ExtractionStatus.PENDING
        assert stored_files(media_root) == [attachment.file.name]
        queued = DBTaskResult.objects.get()
        assert queued.task_path == "depository.tasks.extract_attachment_text"
        assert queued.args_kwargs == {"args": [attachment.pk], "kwargs": {}}

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("invoice.pdf", ELF_EXECUTABLE, "Please upload one of: PDF, Word document (DOCX), OpenDocument"),
            ("empty.pdf", b"", "The submitted file is empty."),
            ("cut.pdf", pdf_bytes("cut short")[:200], "The file could not be read as PDF"),
        ],
    )
    def test_refused_upload_shows_why_and_stores_nothing(
        self, organizer_client, entry, media_root, name, content, message
    ):
        response = organizer_client.post(change_url(entry), entry_form(entry, (name, content)))
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Attachment.objects.exists()
        assert not DBTaskResult.objects.exists()
        assert stored_files(media_root) == []

    def test_upload_over_the_limit_is_refused(self, organizer_client, entry, media_root, settings):
        settings.ATTACHMENT_MAX_UPLOAD_BYTES = 1000
        response = organizer_client.post(change_url(entry), entry_form(entry, ("big.txt", b"words " * 500)))
        assert "The file is 2.9\xa0KB; the limit is 1000\xa0bytes." in response.content.decode()
        assert not Attachment.objects.exists()

    def test_saving_the_entry_again_does_not_requeue_an_unchanged_file(
        self, organizer_client, entry, media_root, django_capture_on_commit_callbacks
    ):
        attachment = Attachment.objects.create(
            entry=entry, file=ContentFile(b"notes", name="a.txt"), content_type="text/plain; charset=utf-8"
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = organizer_client.post(change_url(entry), entry_form(entry, existing=[attachment]))
        assert response.status_code == 302
        assert not DBTaskResult.objects.exists()

    def test_change_page_shows_status_pages_error_and_download(self, organizer_client, entry, media_root):
        Attachment.objects.create(
            entry=entry,
            file=ContentFile(b"junk", name="a.pdf"),
            original_name="Broken report.pdf",
            content_type="application/pdf",
            extraction_status=ExtractionStatus.FAILED,
            extraction_error="The file is damaged or not a readable document.",
        )
        Attachment.objects.create(
            entry=entry,
            file=ContentFile(b"text", name="b.pdf"),
            original_name="Good report.pdf",
            content_type="application/pdf",
            page_count=12,
            extraction_status=ExtractionStatus.DONE,
        )
        content = organizer_client.get(change_url(entry)).content.decode()
        assert "Text could not be extracted" in content
        assert "The file is damaged or not a readable document." in content
        assert "Text extracted" in content
        assert ">12<" in content
        assert "Broken report.pdf</a>" in content
        assert "/media/" not in content

    def test_change_page_costs_the_same_with_one_or_three_attachments(self, organizer_client, entry, media_root):
        def queries_for_change_page():
            with CaptureQueriesContext(connection) as captured:
                assert organizer_client.get(change_url(entry)).status_code == 200
            return len(captured)

        # A first request fills the process's caches (Django's content types), which no later page repeats.
        queries_for_change_page()
        Attachment.objects.create(entry=entry, file=ContentFile(b"1", name="1.txt"), original_name="1.txt")
        one = queries_for_change_page()
        for number in (2, 3):
            Attachment.objects.create(entry=entry, file=ContentFile(b"x", name=f"{number}.txt"))
        assert queries_for_change_page() == one

    def test_a_failure_after_the_upload_leaves_no_row_and_no_file(
        self, organizer_client, entry, media_root, monkeypatch
    ):
        from depository.admin import EntryAdmin

        def fail(*args, **kwargs):
            raise RuntimeError("the last step fails")

        # The change message is logged last, inside the admin's transaction.
        monkeypatch.setattr(EntryAdmin, "log_change", fail)
        with pytest.raises(RuntimeError, match="the last step fails"):
            organizer_client.post(change_url(entry), entry_form(entry, ("report.pdf", pdf_bytes("Lost?"))))
        assert not Attachment.objects.exists()
        assert not DBTaskResult.objects.exists()
        assert stored_files(media_root) == []

    def test_replacing_a_file_deletes_the_old_one_once_committed(
        self, organizer_client, entry, media_root, django_capture_on_commit_callbacks
    ):
        attachment = Attachment.objects.create(
            entry=entry, file=ContentFile(b"old notes", name="old.txt"), content_type="text/plain; charset=utf-8"
        )
        old_name = attachment.file.name
        data = entry_form(entry, existing=[attachment])
        data["attachments-0-file"] = SimpleUploadedFile("new.txt", b"new notes")
        with django_capture_on_commit_callbacks(execute=True):
            assert organizer_client.post(change_url(entry), data).status_code == 302
        attachment.refresh_from_db()
        assert attachment.original_name == "new.txt"
        assert attachment.size == len(b"new notes")
        assert stored_files(media_root) == [attachment.file.name]
        assert attachment.file.name != old_name

    def test_deleting_an_attachment_deletes_its_file(
        self, organizer_client, entry, media_root, django_capture_on_commit_callbacks
    ):
        attachment = Attachment.objects.create(entry=entry, file=ContentFile(b"x", name="x.txt"))
        data = entry_form(entry, existing=[attachment])
        data["attachments-0-DELETE"] = "on"
        with django_capture_on_commit_callbacks(execute=True):
            assert organizer_client.post(change_url(entry), data).status_code == 302
        assert not Attachment.objects.exists()
        assert stored_files(media_root) == []


class TestDownload:
    def test_download_under_the_original_name(self, organizer_client, entry, media_root):
        attachment = Attachment.objects.create(
            entry=entry,
            file=ContentFile(b"%PDF-1.4 bytes", name="x.pdf"),
            original_name="Informe de seguridad.pdf",
            content_type="application/pdf",
        )
        url = reverse("admin:depository_entry_attachment_download", args=[entry.pk, attachment.pk])
        response = organizer_client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="Informe de seguridad.pdf"'
        assert b"".join(response.streaming_content) == b"%PDF-1.4 bytes"

    def test_download_of_another_entrys_attachment_is_404(self, organizer_client, entry, media_root):
        other = Entry.objects.create(kind="tool", title="Other", slug="other")
        attachment = Attachment.objects.create(entry=other, file=ContentFile(b"x", name="x.txt"))
        url = reverse("admin:depository_entry_attachment_download", args=[entry.pk, attachment.pk])
        assert organizer_client.get(url).status_code == 404

    def test_download_needs_the_admin(self, client, entry, media_root):
        attachment = Attachment.objects.create(entry=entry, file=ContentFile(b"x", name="x.txt"))
        url = reverse("admin:depository_entry_attachment_download", args=[entry.pk, attachment.pk])
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


class TestExtractionTask:
    def test_extracts_text_and_pages(self, entry, media_root):
        attachment = Attachment.objects.create(
            entry=entry,
            file=ContentFile(docx_bytes("Complementarity of approaches"), name="p.docx"),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        assert extract_attachment_text.call(attachment.pk) == "done"
        attachment.refresh_from_db()
        assert attachment.extracted_text == "Complementarity of approaches"
        assert attachment.extraction_status == ExtractionStatus.DONE

    def test_generic_task_takes_a_model_label(self, entry, media_root):
        attachment = Attachment.objects.create(
            entry=entry, file=ContentFile(b"local ownership", name="n.txt"), content_type="text/plain; charset=utf-8"
        )
        assert extract_document_text.call("depository.Attachment", attachment.pk) == "done"
        attachment.refresh_from_db()
        assert attachment.extracted_text == "local ownership"

    def test_a_missing_file_is_recorded_not_raised(self, entry, media_root):
        attachment = Attachment.objects.create(entry=entry, file="attachments/gone.pdf", content_type="application/pdf")
        assert extract_attachment_text.call(attachment.pk) == "failed"
        attachment.refresh_from_db()
        assert attachment.extraction_error == "The stored file is missing."

    def test_a_deleted_attachment_is_skipped(self, db):
        assert extract_attachment_text.call(123456) == "failed"


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
def test_the_worker_extracts_queued_uploads(organizer, client, media_root):
    """Upload through the admin (the queue is written on commit), then run the real worker process:
    a readable PDF gets its text and pages; a PDF too slow to read fails cleanly and keeps its file."""
    client.force_login(organizer)
    entry = Entry.objects.create(kind="publication", title="Safer cities", slug="safer-cities")
    readable = pdf_bytes("Violence prevention in secondary cities", "Second page on local mediation")
    slow = pdf_bytes("word " * 5, compress_repeat=100_000)
    response = client.post(change_url(entry), entry_form(entry, ("readable.pdf", readable), ("slow.pdf", slow)))
    assert response.status_code == 302
    assert DBTaskResult.objects.count() == 2

    worker = run_db_worker(media_root, DOCUMENT_EXTRACTION_TIMEOUT="3")

    assert worker.returncode == 0, worker.stderr
    done, failed = Attachment.objects.order_by("original_name")
    assert (done.original_name, done.extraction_status, done.page_count) == ("readable.pdf", "done", 2)
    assert "Violence prevention in secondary cities" in done.extracted_text
    assert "local mediation" in done.extracted_text
    assert (failed.original_name, failed.extraction_status) == ("slow.pdf", "failed")
    assert failed.extraction_error == "Reading the file took longer than the limit of 3 seconds."
    with failed.file.open("rb") as kept:
        assert kept.read() == slow
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


class TestAttachmentAdmin:
    def test_failed_extractions_are_listed_and_can_be_queued_again(
        self, organizer_client, entry, media_root, django_capture_on_commit_callbacks
    ):
        failed = Attachment.objects.create(
            entry=entry,
            file=ContentFile(b"x", name="x.pdf"),
            original_name="Damaged.pdf",
            extraction_status=ExtractionStatus.FAILED,
            extraction_error="The file is damaged or not a readable document.",
        )
        Attachment.objects.create(
            entry=entry, file=ContentFile(b"y", name="y.txt"), original_name="Fine.txt", extraction_status="done"
        )
        changelist = reverse("admin:depository_attachment_changelist")
        content = organizer_client.get(changelist, {"extraction_status__exact": "failed"}).content.decode()
        assert "Damaged.pdf" in content
        assert "Fine.txt" not in content

        with django_capture_on_commit_callbacks(execute=True):
            response = organizer_client.post(
                changelist, {"action": "extract_again", "_selected_action": [failed.pk]}, follow=True
            )
        assert "1 file queued for text extraction." in response.content.decode()
        failed.refresh_from_db()
        assert (failed.extraction_status, failed.extraction_error) == ("pending", "")
        assert DBTaskResult.objects.get().args_kwargs == {"args": [failed.pk], "kwargs": {}}

    def test_upload_from_the_attachment_admin(
        self, organizer_client, organizer, entry, media_root, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = organizer_client.post(
                reverse("admin:depository_attachment_add"),
                {
                    "entry": entry.pk,
                    "file": SimpleUploadedFile("notes.odt", odt_bytes("Paz urbana")),
                    "is_public": "on",
                },
            )
        assert response.status_code == 302
        attachment = Attachment.objects.get()
        assert (attachment.original_name, attachment.content_type) == (
            "notes.odt",
            "application/vnd.oasis.opendocument.text",
        )
        assert attachment.uploaded_by == organizer
        assert DBTaskResult.objects.count() == 1

    def test_changelist_costs_the_same_for_one_or_three_files(self, organizer_client, entry, media_root):
        changelist = reverse("admin:depository_attachment_changelist")

        def queries():
            with CaptureQueriesContext(connection) as captured:
                assert organizer_client.get(changelist).status_code == 200
            return len(captured)

        Attachment.objects.create(entry=entry, file=ContentFile(b"1", name="1.txt"))
        one = queries()
        other = Entry.objects.create(kind="tool", title="Other", slug="other")
        Attachment.objects.create(entry=other, file=ContentFile(b"2", name="2.txt"))
        Attachment.objects.create(entry=other, file=ContentFile(b"3", name="3.txt"))
        assert queries() == one
