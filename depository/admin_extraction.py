"""The admin's filter for documents whose text extraction failed or is stuck, and the action that
extracts their text again (attachments, paper versions)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from depository.models.attachments import ExtractionStatus
from depository.tasks import enqueue_text_extraction, queued_extraction


class ExtractionProblemFilter(admin.SimpleListFilter):
    """ "Stuck": waiting for extraction with no task queued or running for it (a lost task; "Extract
    the text again" queues one). "Failed": extraction ended without text (the error says why, e.g.
    a damaged file or a task given up after its worker died TASK_MAX_ATTEMPTS times)."""

    title = _("extraction problem")
    parameter_name = "extraction_problem"

    def lookups(self, request, model_admin):
        return [
            ("stuck", _("Stuck: waiting, with no task queued or running")),
            ("failed", _("Failed")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "stuck":
            return queryset.filter(extraction_status=ExtractionStatus.PENDING).exclude(
                queued_extraction(queryset.model)
            )
        if self.value() == "failed":
            return queryset.filter(extraction_status=ExtractionStatus.FAILED)
        return queryset


@admin.action(description=_("Extract the text of the selected files again"), permissions=["change"])
def extract_again(modeladmin, request, queryset):
    """Queue a new text extraction for each selected file (an Attachment or a PaperVersion)."""
    files = list(queryset)
    queryset.update(extraction_status=ExtractionStatus.PENDING, extraction_error="")
    for document in files:
        enqueue_text_extraction(document)
    message = ngettext(
        "%(count)d file queued for text extraction.", "%(count)d files queued for text extraction.", len(files)
    )
    modeladmin.message_user(request, message % {"count": len(files)})
