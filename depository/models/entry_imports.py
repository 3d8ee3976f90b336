"""A large spreadsheet import, checked and run by the task worker instead of the web request."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel


class EntryImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the task worker")
    CHECKING = "checking", _("Dry run in progress")
    CHECKED = "checked", _("Checked: ready to import")
    INVALID = "invalid", _("Some rows have errors: nothing imported")
    IMPORTING = "importing", _("Import in progress")
    DONE = "done", _("Imported")


class EntryImport(CleanTextModel):
    """An uploaded entries file of more than ENTRY_IMPORT_BACKGROUND_ROWS rows (docs/files.md). The
    file is kept in the row (at most ENTRY_IMPORT_MAX_BYTES) so any worker can read it; `report`
    holds the dry run's or the import's outcome: {"new": int, "update": int, "errors": [[row,
    [message, ...]], ...], "base_errors": [message, ...]}."""

    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8)  # "csv" or "xlsx"
    data = models.BinaryField(_("file"))
    row_count = models.PositiveIntegerField(_("rows"))
    status = models.CharField(
        _("status"), max_length=16, choices=EntryImportStatus.choices, default=EntryImportStatus.QUEUED
    )
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("entry import")
        verbose_name_plural = _("entry imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name
