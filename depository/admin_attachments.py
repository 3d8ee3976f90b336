"""Attachments in the entry admin: uploads checked by depository.documents, text extracted in the background."""

from copy import copy

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.sizes import upload_promise
from depository.admin_extraction import ExtractionProblemFilter, extract_again
from depository.documents import ATTACHMENT_KINDS, DocumentRejected, inspect_upload, safe_display_name
from depository.documents.cleanup import delete_file_on_commit, delete_stored_files_on_error
from depository.models import Attachment
from depository.models.attachments import ExtractionStatus
from depository.tasks import enqueue_text_extraction


class AttachmentForm(forms.ModelForm):
    """Refuses what is not a PDF, DOCX, ODT or UTF-8 text by its content; records what the file is."""

    class Meta:
        model = Attachment
        fields = ["file", "is_public"]
        # No 'currently: <link to /media/...>': files are downloaded through the admin's checked view.
        widgets = {"file": forms.FileInput}

    document_info = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The promise from the setting the validation and the body limit read (core/body_limits.py).
        self.fields["file"].help_text = upload_promise(settings.ATTACHMENT_MAX_UPLOAD_BYTES)
        # The file an existing attachment had, deleted once a replacement is committed.
        self.initial_file = copy(self.instance.file) if self.instance.pk and self.instance.file else None

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if "file" not in self.changed_data or uploaded is None:
            return uploaded
        try:
            info = inspect_upload(
                uploaded, max_bytes=settings.ATTACHMENT_MAX_UPLOAD_BYTES, allowed_kinds=ATTACHMENT_KINDS
            )
        except DocumentRejected as rejected:
            raise forms.ValidationError(rejected.message, code="document_rejected") from None
        self.document_info = info
        self.original_name = safe_display_name(uploaded.name)
        # Stored under a generated name whose extension matches the content (attachment_path).
        uploaded.name = f"upload.{info.extension}"
        return uploaded

    def save(self, commit=True):
        attachment = super().save(commit=False)
        if self.document_info is not None:
            attachment.original_name = self.original_name
            attachment.content_type = self.document_info.content_type
            attachment.size = self.document_info.size
            attachment.sha256 = self.document_info.sha256
            attachment.extracted_text = ""
            attachment.page_count = None
            attachment.extraction_status = ExtractionStatus.PENDING
            attachment.extraction_error = ""
        if commit:
            attachment.save()
        return attachment


def save_attachment(request, form, attachment):
    """Save an attachment from an AttachmentForm inside the admin's transaction. A new file is
    listed for deletion should that transaction fail (see changeform_view), the file it replaces is
    deleted once it commits, and its text extraction is queued for then."""
    uploaded = form.document_info is not None
    if uploaded:
        attachment.uploaded_by = request.user
    try:
        attachment.save()  # stores the file first, then writes the row
    finally:
        if uploaded and attachment.file._committed:
            getattr(request, "stored_attachment_files", []).append(attachment.file)
    if uploaded:
        if form.initial_file:
            delete_file_on_commit(form.initial_file)
        enqueue_text_extraction(attachment)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentForm
    extra = 0
    fields = [
        "file",
        "is_public",
        "download",
        "human_size",
        "page_count",
        "extraction_status",
        "extraction_error",
        "source_url",
    ]
    readonly_fields = ["download", "human_size", "page_count", "extraction_status", "extraction_error", "source_url"]

    @admin.display(description=_("download"))
    def download(self, attachment):
        if not attachment.pk:
            return "-"
        url = reverse("admin:depository_entry_attachment_download", args=[attachment.entry_id, attachment.pk])
        return format_html(
            '<a href="{}">{}</a> <small>({})</small>', url, attachment.original_name, attachment.content_type
        )

    @admin.display(description=_("size"))
    def human_size(self, attachment):
        return filesizeformat(attachment.size) if attachment.pk else "-"


class DeleteStoredFilesOnErrorMixin:
    """The admin saves an object and its inlines in one transaction: if anything in it fails, the
    files stored for new attachments (save_attachment) are deleted too: no file without its row."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with delete_stored_files_on_error() as stored:
            request.stored_attachment_files = stored
            return super().changeform_view(request, object_id, form_url, extra_context)


class AttachmentAdminMixin(DeleteStoredFilesOnErrorMixin):
    """For EntryAdmin: records who uploaded each file, queues its text extraction, serves downloads."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attachment:
            return super().save_formset(request, form, formset, change)
        forms_by_instance = {id(inline_form.instance): inline_form for inline_form in formset.forms}
        for attachment in formset.save(commit=False):
            save_attachment(request, forms_by_instance[id(attachment)], attachment)
        for attachment in formset.deleted_objects:
            delete_file_on_commit(attachment.file)
            attachment.delete()
        formset.save_m2m()

    def get_urls(self):
        download = self.admin_site.admin_view(self.download_attachment)
        return [
            path(
                "<int:entry_id>/attachments/<int:attachment_id>/download/",
                download,
                name="depository_entry_attachment_download",
            ),
            *super().get_urls(),
        ]

    def download_attachment(self, request, entry_id, attachment_id):
        attachment = get_object_or_404(Attachment.objects.select_related("entry"), pk=attachment_id, entry_id=entry_id)
        if not self.has_view_permission(request, attachment.entry):
            raise Http404
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404(_("The stored file is missing.")) from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name or f"attachment-{attachment.pk}",
            content_type=attachment.content_type or "application/octet-stream",
        )


class AttachmentAdminForm(AttachmentForm):
    class Meta(AttachmentForm.Meta):
        fields = ["entry", "file", "is_public"]


@admin.register(Attachment)
class AttachmentAdmin(DeleteStoredFilesOnErrorMixin, admin.ModelAdmin):
    """Every entry's files in one list, to find the ones whose text could not be extracted."""

    form = AttachmentAdminForm
    list_display = ["__str__", "entry", "human_size", "page_count", "extraction_status", "uploaded_at", "uploaded_by"]
    list_filter = [ExtractionProblemFilter, "extraction_status", "content_type", "is_public"]
    list_select_related = ["entry", "uploaded_by"]
    search_fields = ["original_name", "entry__title", "extraction_error", "source_url"]
    autocomplete_fields = ["entry"]
    readonly_fields = [
        "download",
        "content_type",
        "human_size",
        "sha256",
        "source_url",
        "page_count",
        "extraction_status",
        "extraction_error",
        "uploaded_at",
        "uploaded_by",
    ]
    show_facets = admin.ShowFacets.ALWAYS
    actions = [extract_again]

    download = AttachmentInline.download
    human_size = AttachmentInline.human_size

    def save_model(self, request, obj, form, change):
        save_attachment(request, form, obj)

    def delete_model(self, request, obj):
        delete_file_on_commit(obj.file)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for attachment in queryset:
            delete_file_on_commit(attachment.file)
        super().delete_queryset(request, queryset)
