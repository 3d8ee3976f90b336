"""Bulk import and export of entries in the admin: CSV and XLSX, a dry run first, one transaction."""

import codecs
import zipfile

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

from core.sizes import size_and_limit, upload_promise
from depository.documents import DocumentRejected
from depository.documents.inspection import check_zip_limits
from depository.spreadsheets import EntryResource


class EntryImportForm(ImportForm):
    """Refuses, before django-import-export reads it, a file that is too big, a CSV that is not
    UTF-8 and an XLSX that is not a sound zip (it is unpacked in the web worker)."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = formats
        # The promise from the setting the validation and the body limit read (core/body_limits.py).
        self.fields["import_file"].help_text = upload_promise(settings.ENTRY_IMPORT_MAX_BYTES)

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("import_file")
        chosen = cleaned_data.get("format")
        if upload is None or chosen in (None, ""):
            return cleaned_data
        try:
            if upload.size > settings.ENTRY_IMPORT_MAX_BYTES:
                raise forms.ValidationError(
                    _("The file is %(size)s; the limit is %(limit)s.")
                    % size_and_limit(upload.size, settings.ENTRY_IMPORT_MAX_BYTES)
                )
            file_format = self.formats[int(chosen)]
            if issubclass(file_format, CSV):
                check_utf8(upload)
            elif issubclass(file_format, XLSX):
                check_xlsx(upload)
            self.row_count = check_columns(upload, file_format)
        except forms.ValidationError as error:
            self.add_error("import_file", error)
        upload.seek(0)
        return cleaned_data


def check_utf8(upload):
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    upload.seek(0)
    line_number = 0
    try:
        for line in upload:
            line_number += 1
            decoder.decode(line)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise forms.ValidationError(
            _(
                "Line %(line)s of the file is not UTF-8 text. In your spreadsheet, save the file as "
                "'CSV UTF-8' (or choose the XLSX format) and import it again."
            )
            % {"line": line_number}
        ) from None


def check_columns(upload, file_format):
    """The header row names only columns the import knows, and the title: else a message listing
    the expected columns (django-import-export would show a traceback)."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        if issubclass(file_format, CSV):
            dataset = file_format().create_dataset(data.decode("utf-8-sig"))
        else:
            dataset = file_format().create_dataset(data)
    except Exception:  # noqa: BLE001 - tablib and openpyxl raise their own errors on junk
        raise forms.ValidationError(_("The file could not be read as a table.")) from None
    problem = EntryResource.column_problems(dataset.headers or [])
    if problem:
        raise forms.ValidationError(problem)
    return len(dataset)


def check_xlsx(upload):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = {entry.filename for entry in check_zip_limits(archive)}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise forms.ValidationError(_("The file is not an XLSX workbook.")) from None
    except DocumentRejected as rejected:
        raise forms.ValidationError(rejected.message) from None
    if "xl/workbook.xml" not in names:
        raise forms.ValidationError(_("The file is not an XLSX workbook."))


def queue_entry_import(form, user):
    """Store the upload as an EntryImport and queue its dry run once the transaction commits."""
    from depository.models import EntryImport
    from depository.tasks import check_entry_import

    upload = form.cleaned_data["import_file"]
    upload.seek(0)
    file_format = form.formats[int(form.cleaned_data["format"])]
    with transaction.atomic():
        job = EntryImport.objects.create(
            file_name=upload.name[:255],
            file_format="csv" if issubclass(file_format, CSV) else "xlsx",
            data=upload.read(),
            row_count=form.row_count,
            created_by=user,
        )
        transaction.on_commit(lambda: check_entry_import.enqueue(job.pk))
    return job


class EntryImportAdmin(admin.ModelAdmin):
    """The large imports: their status and report; "Confirm import" queues a checked one."""

    list_display = ["file_name", "row_count", "status", "created_by", "created_at", "updated_at"]
    list_filter = ["status"]
    fields = ["file_name", "row_count", "status", "summary", "created_by", "created_at", "updated_at"]
    readonly_fields = fields
    change_form_template = "admin/depository/entryimport/change_form.html"

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("report"))
    def summary(self, job):
        report = job.report or {}
        if not report:
            return _("Not checked yet: reload this page in a moment.")
        return format_html_join(
            "",
            "<p>{}</p>",
            [(_("New entries: %(new)s. Updated entries: %(update)s.") % report,)]
            + [(message,) for message in report.get("base_errors", [])]
            + [
                (_("Row %(row)s: %(messages)s") % {"row": row, "messages": "; ".join(texts)},)
                for row, texts in report.get("errors", [])
            ],
        )

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="depository_entryimport_confirm",
            )
        ]
        return urls + super().get_urls()

    def confirm_view(self, request, pk):
        """POST: queue the import of a checked file (organizers who may add and change entries)."""
        from depository.models import Entry, EntryImport, EntryImportStatus
        from depository.tasks import run_entry_import

        entry_admin = self.admin_site._registry[Entry]
        if not entry_admin.has_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = get_object_or_404(EntryImport, pk=pk)
        if job.status != EntryImportStatus.CHECKED:
            messages.error(request, _("Only a checked file without errors can be imported."))
        else:
            transaction.on_commit(lambda: run_entry_import.enqueue(job.pk))
            messages.info(request, _("The import is queued; this page shows its progress."))
        return redirect("admin:depository_entryimport_change", job.pk)


class EntrySpreadsheetAdminMixin(ImportExportMixin):
    """For EntryAdmin: 'Import' (upload, dry run listing every row's errors, confirm) and 'Export'
    (the filtered changelist, or the selected entries) as CSV or XLSX."""

    resource_classes = [EntryResource]
    formats = [CSV, XLSX]
    import_form_class = EntryImportForm
    import_template_name = "admin/depository/entry/import.html"
    to_encoding = "utf-8-sig"  # a byte-order mark, so that Excel reads an exported CSV as UTF-8

    def import_action(self, request, **kwargs):
        """A file of more than ENTRY_IMPORT_BACKGROUND_ROWS rows is checked by the task worker: it
        is stored as an EntryImport and the organizer is sent to its page in the admin."""
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid() and getattr(form, "row_count", 0) > settings.ENTRY_IMPORT_BACKGROUND_ROWS:
                job = queue_entry_import(form, request.user)
                messages.info(
                    request,
                    _("The file has %(count)s rows: the task worker checks it; this page shows its progress.")
                    % {"count": job.row_count},
                )
                return redirect("admin:depository_entryimport_change", job.pk)
        return super().import_action(request, **kwargs)

    def get_import_data_kwargs(self, **kwargs):
        # A row with a validation error rolls the whole confirmed import back, like any other error.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Rolled back whole: something changed between the preview and the confirmation.
            messages.error(
                request,
                _("Nothing was imported: some rows are no longer valid. Import the file again to see which."),
            )
            return redirect("admin:depository_entry_changelist")
        return super().process_result(result, request)

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)
