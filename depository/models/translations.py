"""Content in four languages: optional translations of a text field, kept beside it as plain columns.

A translatable field `title` keeps the canonical text, written in the record's own language (English
for vocabulary terms and glossary terms, the entry's `language` for an entry). Its translations are
the columns `title_es`, `title_fr`, ... (blank: not translated). Pages read `translated_title`: the
text in the active language, its translation there if one is given, else the canonical text. Raw SQL
and ORM expressions get the same choice from `translated_sql` and `translated_expression`.

Why plain columns rather than django-modeltranslation: docs/i18n.md, "Translated content".
"""

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Collate, NullIf
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel


class Language(models.TextChoices):
    """The portal's four languages: of its interface, of entries, and of translated content."""

    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    FRENCH = "fr", _("French")
    ARABIC = "ar", _("Arabic")


def active_language():
    """The language of the page being rendered ("es" for "es-ar"; English when none is active)."""
    return (get_language() or Language.ENGLISH).split("-")[0]


def translation_field(verbose_name, language, *, max_length=None):
    """An optional translation column, labelled e.g. "title (Spanish)" in the admin."""
    label = format_lazy("{} ({})", verbose_name, Language(language).label)
    # Blank in the database too, so SQL that inserts rows without naming the column (COPY, raw
    # INSERTs of the benchmark and of restores) still works.
    options = {"blank": True, "default": "", "db_default": ""}
    if max_length:
        return models.CharField(label, max_length=max_length, **options)
    return models.TextField(label, **options)


class TranslatedText(str):
    """A text with the language it is written in (for the `lang` attribute of what shows it)."""

    def __new__(cls, text, language):
        value = super().__new__(cls, text or "")
        value.language = language
        return value


class Translated:
    """`obj.translated_<field>`: the field's text in the active language, falling back to the original."""

    def __init__(self, field_name):
        self.field_name = field_name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return obj.translation(self.field_name)


class TranslatableContent(CleanTextModel):
    """A model with translatable text fields. Subclasses list them in TRANSLATED_FIELDS and declare
    one `translation_field` per field and language of TRANSLATION_LANGUAGES."""

    TRANSLATED_FIELDS = ()
    # The languages a translation can be given in; the original's language has none.
    TRANSLATION_LANGUAGES = (Language.SPANISH, Language.FRENCH, Language.ARABIC)

    class Meta:
        abstract = True

    @property
    def original_language(self):
        return Language.ENGLISH

    def translation(self, field_name, language=None):
        """The field's text in `language` (default: the active one), or the original if none is given."""
        language = language or active_language()
        if language != self.original_language and language in self.TRANSLATION_LANGUAGES:
            text = getattr(self, f"{field_name}_{language}")
            if text:
                return TranslatedText(text, language)
        return TranslatedText(getattr(self, field_name), self.original_language)

    @classmethod
    def translation_field_names(cls, field_name=None):
        fields = cls.TRANSLATED_FIELDS if field_name is None else (field_name,)
        return [f"{name}_{language}" for name in fields for language in cls.TRANSLATION_LANGUAGES]

    @classmethod
    def translated_sql(cls, field_name, alias):
        """SQL of the field in the active language, for a table aliased `alias` (the original's
        language is English: vocabulary terms and glossary terms)."""
        language = active_language()
        if language not in cls.TRANSLATION_LANGUAGES:
            return f"{alias}.{field_name}"
        return f"coalesce(nullif({alias}.{field_name}_{language}, ''), {alias}.{field_name})"

    @classmethod
    def translated_expression(cls, field_name, prefix=""):
        """The ORM expression of the field in the active language (`prefix`: a relation's path, "entry__")."""
        language = active_language()
        original = F(f"{prefix}{field_name}")
        if language not in cls.TRANSLATION_LANGUAGES:
            return original
        translation = NullIf(F(f"{prefix}{field_name}_{language}"), Value(""))
        return Coalesce(translation, original, output_field=models.TextField())


def in_alphabetical_order(expression):
    """`expression` collated for sorting in the active language, for `order_by`.

    Uses PostgreSQL's ICU collations ("es-x-icu", "ar-x-icu", ...; PostgreSQL built with ICU, as
    Debian's is): the database sorts by the language's own rules (CLDR), so no Python sort key
    (PyICU, a C extension to build) is needed. Source of the rule: Unicode Collation Algorithm, CLDR.
    """
    return Collate(expression, f"{active_language()}-x-icu")
