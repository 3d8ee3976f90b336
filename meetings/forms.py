from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from meetings.services.participant_import import MAX_IMPORT_BYTES, decode_upload


class ParticipantImportForm(forms.Form):
    csv_file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_("UTF-8 text, at most 256 KB. Columns: name, title, organization, city, role (and disclosure)."),
    )
    text = forms.CharField(
        label=_("or paste the list"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100, "spellcheck": "false"}),
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("csv_file"), cleaned.get("text") or ""
        if upload and text.strip():
            raise ValidationError(_("Either choose a file or paste a list, not both."))
        if upload:
            # DATA_UPLOAD_MAX_MEMORY_SIZE does not bound files: check the size before reading.
            if upload.size > MAX_IMPORT_BYTES:
                self.add_error(
                    "csv_file",
                    _("The file is %(size)d bytes; the limit is %(limit)d bytes.")
                    % {"size": upload.size, "limit": MAX_IMPORT_BYTES},
                )
                return cleaned
            try:
                text = decode_upload(upload.read(MAX_IMPORT_BYTES + 1))
            except ValidationError as error:
                self.add_error("csv_file", error)
                return cleaned
        elif len(text.encode("utf-8")) > MAX_IMPORT_BYTES:
            self.add_error("text", _("The list is longer than %(limit)d bytes.") % {"limit": MAX_IMPORT_BYTES})
            return cleaned
        if not text.strip():
            raise ValidationError(_("Paste a list or choose a file."))
        cleaned["csv_text"] = text
        return cleaned
