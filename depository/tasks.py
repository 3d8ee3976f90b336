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
from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _

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


def fill_extracted_text(instance):
    """Run the sandboxed extraction and save its outcome on `instance`. A file that cannot be read
    is kept; its status says so. Saving fires post_save, which re-indexes what depends on the text."""
    kind = DocumentKind.for_content_type(instance.content_type)
    try:
        if kind is None:
            raise ExtractionFailed(_("The file's type is not one whose text can be extracted."))
        with local_copy(instance.file) as path:
            result = extract_text(path, kind)
    except ExtractionFailed as failure:
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
    instance.save(update_fields=EXTRACTION_FIELDS)
    return instance.extraction_status


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
        if not os.path.isfile(path):
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
