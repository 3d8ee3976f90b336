"""The admin's import from reference managers: upload (a dry run listing each record's outcome),
then confirm (all or nothing; large files in the background with their progress shown)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.sizes import size_and_limit, upload_promise
from depository import references
from depository.models import ImportStatus, ReferenceImport


class ReferenceUploadForm(forms.Form):
    """At most settings.REFERENCE_IMPORT_MAX_BYTES (10,000 references with abstracts fit in a few MB)."""

    file = forms.FileField(label=gettext_lazy("Reference file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = " ".join(
            [
                _("RIS (.ris), BibTeX (.bib) or CSL-JSON (.json), as Zotero, EndNote or Mendeley export."),
                upload_promise(settings.REFERENCE_IMPORT_MAX_BYTES),
            ]
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.REFERENCE_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s.") % size_and_limit(upload.size, limit)
            )
        try:
            self.text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text: export it again as UTF-8.")) from None
        return upload


@admin.register(ReferenceImport)
class ReferenceImportAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "format",
        "status",
        "total",
        "new_count",
        "duplicate_count",
        "error_count",
        "created_at",
    ]
    list_filter = ["status", "format"]
    list_select_related = ["uploaded_by"]
    readonly_fields = ["file_name", "format", "status", "total", "uploaded_by", "created_at"]

    def has_add_permission(self, request):
        return request.user.has_perm("depository.add_entry")

    def has_change_permission(self, request, obj=None):
        return False  # an import is a record of what happened; confirming is its own step

    def get_urls(self):
        confirm = self.admin_site.admin_view(require_POST(self.confirm_view))
        name = f"{self.opts.app_label}_{self.opts.model_name}_confirm"
        return [path("<int:pk>/confirm/", confirm, name=name), *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ReferenceUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                upload = references.check_upload(
                    file_name=form.cleaned_data["file"].name, text=form.text, user=request.user
                )
            except ValueError as error:
                form.add_error("file", str(error))
            else:
                return redirect(reverse("admin:depository_referenceimport_change", args=[upload.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import references"),
            "opts": self.opts,
            "form": form,
            "limit": references.SYNC_IMPORT_LIMIT,
        }
        return TemplateResponse(
            request, "admin/depository/referenceimport/add.html", context, status=400 if form.errors else 200
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        upload = get_object_or_404(ReferenceImport, pk=object_id)
        stale = references.is_stale(upload)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import of %(file)s") % {"file": upload.file_name},
            "opts": self.opts,
            "upload": upload,
            "stale": stale,
            "warned": sum(1 for row in upload.outcomes if row["outcome"] == "new" and row.get("warnings")),
            "in_progress": upload.status in (ImportStatus.QUEUED, ImportStatus.RUNNING) and not stale,
            "may_confirm": (upload.status == ImportStatus.CHECKED or stale) and self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/depository/referenceimport/change.html", context)

    def confirm_view(self, request, pk):
        if not self.has_add_permission(request):
            raise PermissionDenied
        upload = references.confirm_import(get_object_or_404(ReferenceImport, pk=pk))
        if upload.status == ImportStatus.DONE:
            count = upload.created_count
            text = ngettext("%(count)d entry created.", "%(count)d entries created.", count) % {"count": count}
            self.message_user(request, text, messages.SUCCESS)
        elif upload.status == ImportStatus.FAILED:
            self.message_user(
                request, _("Nothing was imported: %(reason)s") % {"reason": upload.message}, messages.ERROR
            )
        else:
            self.message_user(request, _("The import runs in the background; this page shows its progress."))
        return redirect(reverse("admin:depository_referenceimport_change", args=[upload.pk]))
