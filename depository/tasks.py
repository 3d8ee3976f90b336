"""Background tasks: text extraction of uploaded documents, run by `manage.py db_worker`.

Any model that stores an upload the way Attachment does can use them: a FileField `file`, a
`content_type` set from inspect_upload's DocumentInfo, and the fields `extracted_text`,
`page_count`, `extraction_status` (ExtractionStatus) and `extraction_error`. A PDF without a text
layer is recognised (OCR, depository.documents.ocr). Call `enqueue_text_extraction(instance)` inside
the transaction that saves it; the task runs once the transaction has committed.
"""

import logging
import os
import shutil
import tempfile
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Exists, OuterRef
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.dispatch import receiver
from django.tasks import task
from django.tasks.base import TaskResultStatus
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from core.task_recovery import task_abandoned
from depository import search
from depository.documents import DocumentKind, ExtractionFailed, extract_text
from depository.documents.ocr import recognise_text
from depository.models import Attachment
from depository.models.attachments import ExtractionStatus

logger = logging.getLogger(__name__)

EXTRACTION_FIELDS = ["extracted_text", "page_count", "extraction_status", "extraction_error"]


@task()
def extract_document_text(model_label, pk):
    """Extract the text of one stored document; `model_label` is e.g. "depository.Attachment"."""
    model = apps.get_model(model_label)
    instance = model._default_manager.filter(pk=pk).first()
    if instance is None:  # deleted before the worker came to it
        return ExtractionStatus.FAILED.value
    return fill_extracted_text(instance)


@task()
def extract_attachment_text(attachment_id):
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        return ExtractionStatus.FAILED.value
    return fill_extracted_text(attachment)


def enqueue_text_extraction(instance):
    """Queue the extraction of `instance`'s file once the current transaction commits."""
    if isinstance(instance, Attachment):
        transaction.on_commit(lambda: extract_attachment_text.enqueue(instance.pk))
    else:
        label = instance._meta.label
        transaction.on_commit(lambda: extract_document_text.enqueue(label, instance.pk))


def extraction_target(task_path, args):
    """(model, pk) of the document an extraction task with `task_path` and `args` works on; None for
    any other task."""
    if task_path == extract_attachment_text.module_path and len(args) == 1:
        return Attachment, args[0]
    if task_path == extract_document_text.module_path and len(args) == 2:
        try:
            return apps.get_model(args[0]), args[1]
        except (LookupError, ValueError):
            return None
    return None


@receiver(task_abandoned, dispatch_uid="depository_abandoned_extraction")
def record_abandoned_extraction(sender, *, task_path, args, **kwargs):
    """core.task_recovery.task_abandoned's receiver (recover_abandoned_tasks imports a given-up
    task's module before sending it): the document whose extraction was given up is FAILED, with
    why, instead of waiting for ever."""
    target = extraction_target(task_path, args)
    if target is None:
        return
    model, pk = target
    instance = model._default_manager.filter(pk=pk, extraction_status=ExtractionStatus.PENDING).first()
    if instance is None:
        return
    instance.extracted_text = ""
    instance.page_count = None
    instance.extraction_status = ExtractionStatus.FAILED
    instance.extraction_error = _(
        "The text extraction was stopped all %(count)s times it was tried (its worker died); it was given up."
    ) % {"count": settings.TASK_MAX_ATTEMPTS}
    instance.save(update_fields=EXTRACTION_FIELDS)


def queued_extraction(model):
    """An Exists() over the rows of `model` (Attachment, or any model enqueue_text_extraction takes)
    whose text extraction task is waiting or running: a PENDING row without one is stuck."""
    tasks = DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
    if model is Attachment:
        tasks = tasks.filter(task_path=extract_attachment_text.module_path).annotate(target=KT("args_kwargs__args__0"))
    else:
        tasks = tasks.filter(task_path=extract_document_text.module_path).annotate(
            label=KT("args_kwargs__args__0"), target=KT("args_kwargs__args__1")
        )
        tasks = tasks.filter(label=model._meta.label)
    return Exists(tasks.filter(target=Cast(OuterRef("pk"), output_field=models.TextField())))


def fill_extracted_text(instance):
    """Run the sandboxed extraction and save its outcome on `instance`. A file that cannot be read
    is kept; its status says so. Saving fires post_save, which re-indexes what depends on the text."""
    kind = DocumentKind.for_content_type(instance.content_type)
    try:
        if kind is None:
            raise ExtractionFailed(_("The file's type is not one whose text can be extracted."))
        with local_copy(instance.file) as path:
            result = extract_text(path, kind)
    except Exception as failure:  # noqa: BLE001 - whatever the cause, the file ends FAILED, never pending
        if not isinstance(failure, ExtractionFailed):
            logger.exception("Text extraction broke for %s %s", instance._meta.label, instance.pk)
            failure = _("The text extraction stopped with an error (%(error)s).") % {"error": type(failure).__name__}
        logger.warning("Text extraction failed for %s %s: %s", instance._meta.label, instance.pk, failure)
        instance.extracted_text = ""
        instance.page_count = None
        instance.extraction_status = ExtractionStatus.FAILED
        instance.extraction_error = str(failure)
    else:
        instance.extracted_text = result.text
        instance.page_count = result.page_count
        instance.extraction_status = ExtractionStatus.DONE
        instance.extraction_error = (
            _("Only the first %(count)s characters were kept for search.") % {"count": len(result.text)}
            if result.truncated
            else ""
        )
        if not result.text.strip():
            record_missing_text(instance, kind)
    save_extraction(instance)
    return instance.extraction_status


def save_extraction(instance):
    """Save the extraction's outcome, and index it at once: a text the search index refuses (any
    database error: it was a tsvector over 1 MB, issue 22) leaves the file FAILED with why, not
    pending for ever with its task failed. The flush runs in the savepoint, so a refused document
    undoes only this save."""
    try:
        with transaction.atomic():
            instance.save(update_fields=EXTRACTION_FIELDS)
            search.flush()
    except DatabaseError as error:
        logger.exception("Saving the extracted text failed for %s %s", instance._meta.label, instance.pk)
        instance.extracted_text = ""
        instance.page_count = None
        instance.extraction_status = ExtractionStatus.FAILED
        instance.extraction_error = _("The extracted text could not be stored for search: %(error)s") % {
            "error": str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        }
        instance.save(update_fields=EXTRACTION_FIELDS)


def record_missing_text(instance, kind):
    """A document that opened but has no text: a PDF's page images are recognised (OCR); whatever
    remains empty is recorded as "no text found" with the reason, never as "text extracted"."""
    instance.extracted_text = ""
    instance.extraction_status = ExtractionStatus.NO_TEXT
    if kind != DocumentKind.PDF:
        instance.extraction_error = _("The document contains no text.")
        return
    try:
        with local_copy(instance.file) as path:
            text = recognise_text(path, language=document_language(instance))
    except ExtractionFailed as failure:
        logger.warning("OCR failed for %s %s: %s", instance._meta.label, instance.pk, failure)
        instance.extraction_error = _("The PDF has no text layer, and text recognition (OCR) failed: %(reason)s") % {
            "reason": failure
        }
        return
    if not text:
        instance.extraction_error = _("The PDF has no text layer, and text recognition (OCR) found no text.")
        return
    limit = settings.DOCUMENT_MAX_TEXT_CHARS
    instance.extracted_text = text[:limit]
    instance.extraction_status = ExtractionStatus.RECOGNISED
    instance.extraction_error = (
        _("Only the first %(count)s characters were kept for search.") % {"count": limit} if len(text) > limit else ""
    )


def document_language(instance):
    """The language of the entry or paper the file belongs to (a Language value), or None."""
    owner = getattr(instance, "entry", None) or getattr(instance, "paper", None)
    return getattr(owner, "language", None)


@contextmanager
def local_copy(field_file):
    """A path on this machine holding the stored file (a temporary copy for remote storages)."""
    if not field_file:
        raise ExtractionFailed(_("No file is stored."))
    try:
        path = field_file.path
    except NotImplementedError:
        path = None
    if path is not None:
        # exists, not isfile: a named pipe is read like a file (the crash test's extraction waits on one).
        if not os.path.exists(path):
            raise ExtractionFailed(_("The stored file is missing."))
        yield path
        return
    handle, temporary = tempfile.mkstemp(prefix="extract-")
    try:
        with os.fdopen(handle, "wb") as copy, field_file.open("rb") as source:
            shutil.copyfileobj(source, copy)
        yield temporary
    except FileNotFoundError:
        raise ExtractionFailed(_("The stored file is missing.")) from None
    finally:
        os.unlink(temporary)


@task()
def import_references_task(import_id):
    """Import a confirmed ReferenceImport in the background (files over SYNC_IMPORT_LIMIT records),
    saving its progress as the records are validated; the writing itself is one transaction."""
    from depository.references import finish_import

    reference_import = apps.get_model("depository", "ReferenceImport").objects.filter(pk=import_id).first()
    if reference_import is None:
        return "missing"
    return finish_import(reference_import)


@task()
def check_entry_import(import_id):
    """The dry run of a large entries file (EntryImport): nothing is written but its report."""
    return run_entry_import_file(import_id, dry_run=True)


@task()
def run_entry_import(import_id):
    """The confirmed import of a checked EntryImport, in one transaction."""
    return run_entry_import_file(import_id, dry_run=False)


# pg_advisory_lock's first key for "an EntryImport being run"; the second is its id.
ENTRY_IMPORT_LOCK = 0x7477_6701


@contextmanager
def entry_import_lock(import_id):
    """Yields whether this worker now runs the EntryImport `import_id`: a session-level advisory lock,
    which PostgreSQL releases when the session ends, so a worker that died holds nothing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [ENTRY_IMPORT_LOCK, import_id])
        (held,) = cursor.fetchone()
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [ENTRY_IMPORT_LOCK, import_id])


@receiver(task_abandoned, dispatch_uid="depository_abandoned_entry_import")
def record_abandoned_entry_import(sender, *, task_path, args, **kwargs):
    """A large spreadsheet's check or import given up after TASK_MAX_ATTEMPTS (its worker died each
    time) says so, instead of showing "in progress" for ever; nothing of it was written."""
    from depository.models import EntryImport, EntryImportStatus

    if task_path not in (check_entry_import.module_path, run_entry_import.module_path) or not args:
        return
    message = _(
        "The task worker was stopped all %(count)s times it ran this file; it was given up and nothing "
        "was imported. Upload the file again, or split it."
    ) % {"count": settings.TASK_MAX_ATTEMPTS}
    job = EntryImport.objects.filter(
        pk=args[0], status__in=[EntryImportStatus.QUEUED, EntryImportStatus.CHECKING, EntryImportStatus.IMPORTING]
    ).first()
    if job is not None:
        job.status = EntryImportStatus.INVALID
        job.report = {**job.report, "base_errors": [*job.report.get("base_errors", []), message]}
        job.save(update_fields=["status", "report", "updated_at"])


def run_entry_import_file(import_id, *, dry_run):
    """Run EntryResource on the stored file; the status is saved (and committed) before and after,
    so the admin shows where it stands. Returns the final status.

    A run whose worker died left the status CHECKING or IMPORTING, and core.task_recovery runs the
    task again: found by the lock (nobody holds it: issue 22, finding 5, such a file stayed "in
    progress" for ever), it runs again; the import is one transaction, so nothing of the dead run
    was written. A second task for the same file (confirmed twice) while one runs does nothing."""
    from depository.models import EntryImportStatus

    with entry_import_lock(import_id) as held:
        if not held:
            return None  # another worker is running this very file
        resumable = (
            [EntryImportStatus.QUEUED, EntryImportStatus.CHECKING]
            if dry_run
            else [EntryImportStatus.CHECKED, EntryImportStatus.IMPORTING]
        )
        return _run_entry_import_file(import_id, dry_run=dry_run, resumable=resumable)


def _run_entry_import_file(import_id, *, dry_run, resumable):
    from import_export.formats.base_formats import CSV, XLSX

    from depository.models import EntryImport, EntryImportStatus
    from depository.spreadsheets import EntryResource

    job = EntryImport.objects.filter(pk=import_id).first()
    if job is None or job.status not in resumable:
        return job.status if job else None  # deleted, or already done by another worker
    job.status = EntryImportStatus.CHECKING if dry_run else EntryImportStatus.IMPORTING
    job.save(update_fields=["status", "updated_at"])
    data = bytes(job.data)
    dataset = (
        CSV().create_dataset(data.decode("utf-8-sig")) if job.file_format == "csv" else XLSX().create_dataset(data)
    )
    result = EntryResource().import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        rollback_on_validation_errors=True,
        use_transactions=True,
        user=job.created_by,
        file_name=job.file_name,
    )
    errors = [
        [row.number, [f"{field}: {message}" for field, messages in row.error_dict.items() for message in messages]]
        for row in result.invalid_rows
    ]
    errors += [[number, [str(error.error) for error in row_errors]] for number, row_errors in result.row_errors()]
    job.report = {
        "new": result.totals.get("new", 0),
        "update": result.totals.get("update", 0),
        "errors": errors[:100],
        "base_errors": [str(error.error) for error in result.base_errors],
    }
    if errors or result.base_errors:
        job.status = EntryImportStatus.INVALID
    else:
        job.status = EntryImportStatus.CHECKED if dry_run else EntryImportStatus.DONE
    job.save(update_fields=["status", "report", "updated_at"])
    return job.status
