"""An upload of references from a reference manager (RIS, BibTeX, CSL-JSON), checked, then imported.

The file's text is kept until the import is done, so the organizer confirms exactly what was checked;
`outcomes` is the dry run's verdict on each record (depository/references/ says how it is made).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel


class ReferenceFormat(models.TextChoices):
    RIS = "ris", "RIS"
    BIBTEX = "bibtex", "BibTeX"
    CSL_JSON = "csl-json", "CSL-JSON"


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked: waiting for confirmation")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ReferenceImport(CleanTextModel):
    file_name = models.CharField(_("file"), max_length=255)
    format = models.CharField(_("format"), max_length=16, choices=ReferenceFormat.choices)
    text = models.TextField(_("file text"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.CHECKING)
    total = models.PositiveIntegerField(_("records"), default=0)
    processed = models.PositiveIntegerField(_("records processed"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    created_count = models.PositiveIntegerField(_("entries created"), default=0)
    # [{"number": 1, "title": ..., "outcome": "new" | "duplicate" | "error", "reason": ..., "entry": slug}]
    outcomes = models.JSONField(_("outcomes"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Set by every change of status or progress: a QUEUED or RUNNING import that has not moved for a
    # while, with no task waiting or running for it, died with its request or worker (references.is_stale).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reference import")
        verbose_name_plural = _("reference imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name

    @property
    def percent(self):
        return round(100 * self.processed / self.total) if self.total else 100
