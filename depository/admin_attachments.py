"""Attachments in the entry admin: uploads checked by depository.documents, text extracted in the background."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from depository.documents import ATTACHMENT_KINDS, DocumentRejected, inspect_upload, safe_display_name
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


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentForm
    extra = 0
    fields = ["file", "is_public", "download", "human_size", "page_count", "extraction_status", "extraction_error"]
    readonly_fields = ["download", "human_size", "page_count", "extraction_status", "extraction_error"]

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


class AttachmentAdminMixin:
    """For EntryAdmin: records who uploaded each file, queues its text extraction, serves downloads."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attachment:
            return super().save_formset(request, form, formset, change)
        uploaded = [inline_form for inline_form in formset.forms if getattr(inline_form, "document_info", None)]
        for inline_form in uploaded:
            inline_form.instance.uploaded_by = request.user
        super().save_formset(request, form, formset, change)
        for inline_form in uploaded:
            if inline_form.instance.pk:
                enqueue_text_extraction(inline_form.instance)

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
