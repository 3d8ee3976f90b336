"""Bulk import and export of entries in the admin: CSV and XLSX, a dry run first, one transaction."""

import codecs
import zipfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

from depository.documents import DocumentRejected
from depository.documents.inspection import check_zip_limits
from depository.spreadsheets import EntryResource
from twg_portal.sizes import size_and_limit


class EntryImportForm(ImportForm):
    """Refuses, before django-import-export reads it, a file that is too big, a CSV that is not
    UTF-8 and an XLSX that is not a sound zip (it is unpacked in the web worker)."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = formats

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


class EntrySpreadsheetAdminMixin(ImportExportMixin):
    """For EntryAdmin: 'Import' (upload, dry run listing every row's errors, confirm) and 'Export'
    (the filtered changelist, or the selected entries) as CSV or XLSX."""

    resource_classes = [EntryResource]
    formats = [CSV, XLSX]
    import_form_class = EntryImportForm
    to_encoding = "utf-8-sig"  # a byte-order mark, so that Excel reads an exported CSV as UTF-8

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
