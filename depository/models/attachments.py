"""Files attached to depository entries, and the text extracted from them for search."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel
from depository.models.entries import Entry


def attachment_path(instance, filename):
    # Stored under a generated name: the uploaded name is kept only as data (original_name).
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"attachments/{uuid.uuid4().hex}{suffix}"


class ExtractionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for text extraction")
    DONE = "done", _("Text extracted")
    # A PDF without a text layer whose page images Tesseract read (depository.documents.ocr).
    RECOGNISED = "ocr", _("Text recognised from images (OCR)")
    # The file was read but holds no text; extraction_error says why (e.g. OCR found none).
    NO_TEXT = "empty", _("No text found")
    FAILED = "failed", _("Text could not be extracted")


class Attachment(CleanTextModel):
    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    extracted_text = models.TextField(_("extracted text"), blank=True)
    extraction_status = models.CharField(
        _("text extraction"), max_length=16, choices=ExtractionStatus.choices, default=ExtractionStatus.PENDING
    )
    extraction_error = models.TextField(_("extraction error"), blank=True)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Public files of published entries can be downloaded by anyone.")
    )
    # Where the file was downloaded from (a harvested record's document link, harvest.services
    # fetch_full_text): the link stays the source; blank for a file an organizer or member uploaded.
    source_url = models.URLField(_("source"), max_length=1000, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name or self.file.name
