from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.sizes import upload_promise
from meetings.models.registrations import JUSTIFICATION_MAX_LENGTH, NEEDS_MAX_LENGTH
from meetings.services.participant_import import decode_upload


class ParticipantImportForm(forms.Form):
    csv_file = forms.FileField(
        label=_("CSV file"),
        required=False,
    )
    text = forms.CharField(
        label=_("or paste the list"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100, "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The promise from the setting the validation and the body limit read (core/body_limits.py).
        self.fields["csv_file"].help_text = " ".join(
            [
                str(_("UTF-8 text. Columns: name, title, organization, city, role (and disclosure).")),
                upload_promise(settings.PARTICIPANT_IMPORT_MAX_BYTES),
            ]
        )

    def clean(self):
        cleaned = super().clean()
        limit = settings.PARTICIPANT_IMPORT_MAX_BYTES
        upload, text = cleaned.get("csv_file"), cleaned.get("text") or ""
        if upload and text.strip():
            raise ValidationError(_("Either choose a file or paste a list, not both."))
        if upload:
            # DATA_UPLOAD_MAX_MEMORY_SIZE does not bound files: check the size before reading.
            if upload.size > limit:
                self.add_error(
                    "csv_file",
                    _("The file is %(size)d bytes; the limit is %(limit)d bytes.")
                    % {"size": upload.size, "limit": limit},
                )
                return cleaned
            try:
                text = decode_upload(upload.read(limit + 1))
            except ValidationError as error:
                self.add_error("csv_file", error)
                return cleaned
        elif len(text.encode("utf-8")) > limit:
            self.add_error("text", _("The list is longer than %(limit)d bytes.") % {"limit": limit})
            return cleaned
        if not text.strip():
            raise ValidationError(_("Paste a list or choose a file."))
        cleaned["csv_text"] = text
        return cleaned


class RegistrationForm(forms.Form):
    """A member registers for a meeting or an event; needs and any travel-support request stay private to the
    organizers and the member (docs/network-meetings.md)."""

    needs = forms.CharField(
        label=_("Dietary and access needs"),
        required=False,
        max_length=NEEDS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. Only the organizers see it."),
    )
    support_requested = forms.BooleanField(label=_("I ask for travel support"), required=False)
    justification = forms.CharField(
        label=_("Why you need travel support"),
        required=False,
        max_length=JUSTIFICATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A few sentences; only the organizers see it."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("support_requested") and not (cleaned.get("justification") or "").strip():
            self.add_error("justification", _("Say briefly why you need travel support."))
        return cleaned
