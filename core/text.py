"""Text hygiene where text comes in: the one place that decides which characters the portal stores.

XML 1.0 (section 2.2, `Char`) allows tab, line feed, carriage return and U+0020 and above except
the surrogates and U+FFFE/U+FFFF; anything else in a title breaks the Atom feed, the sitemap, the
admin's XLSX export (openpyxl refuses it) and every XML export. `clean_text` removes those characters
and normalises to NFC (Unicode Standard Annex #15), so 'é' typed as e + combining accent and 'é'
pasted as one character are the same text for search, duplicates and slugs.

Applied to every CharField and TextField of the portal's own models twice over: before validation,
by `CleanTextModel.clean_fields` (so that "required", lengths and uniqueness are checked on the text
as it will be stored: a name of only forbidden characters is blank, `Ab<U+000B>` is a duplicate of
`Ab`; checked after, they gave IntegrityErrors, 500s), and before every write by a `pre_save`
receiver (`clean_model_text`), whatever wrote them: admin forms and inlines, members' forms, the
spreadsheet import, the records loader, services. Writes that bypass `save()` (bulk_create, the
reference-manager import) and imports that match names before saving (participants, spreadsheets)
call `clean_text` on their input themselves; migration depository 0016 cleaned stored rows.
"""

import re
import unicodedata

from django.db import models

# C0 controls except tab (09), LF (0A) and CR (0D); lone surrogates; the noncharacters FFFE and FFFF.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value):
    """`value` without the characters XML 1.0 forbids, in Unicode NFC. Non-strings are returned unchanged."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", XML_FORBIDDEN.sub("", value))


def clean_instance_text(instance):
    """Clean every text field of a model instance in place."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, clean_text(value))


def clean_model_text(sender, instance, raw=False, **kwargs):
    """pre_save receiver: clean every text field of a portal model instance before it is written."""
    # Every portal model derives from CleanTextModel, whichever floor it lives on; a list of app labels
    # here went stale when models moved between apps (issue 19).
    if raw or not issubclass(sender, CleanTextModel):
        return
    clean_instance_text(instance)


class CleanTextModel(models.Model):
    """The portal's models' base: text is cleaned before it is validated (ModelForm validation and
    `full_clean()` both go through `clean_fields`), not only before it is saved."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        clean_instance_text(self)
        super().clean_fields(exclude=exclude)
