"""The typology's controlled vocabularies (city type, violence type, theme)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from depository.models.translations import Language, TranslatableContent, Translated, translation_field


class Vocabulary(TranslatableContent):
    """A term of one of the typology's controlled vocabularies (city type, violence type, theme).
    Its name and description are written in English; organizers may translate them."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Terms are listed by position, then by name.")
    )
    name_es = translation_field(_("name"), Language.SPANISH, max_length=120)
    name_fr = translation_field(_("name"), Language.FRENCH, max_length=120)
    name_ar = translation_field(_("name"), Language.ARABIC, max_length=120)
    description_es = translation_field(_("description"), Language.SPANISH)
    description_fr = translation_field(_("description"), Language.FRENCH)
    description_ar = translation_field(_("description"), Language.ARABIC)

    TRANSLATED_FIELDS = ("name", "description")
    translated_name = Translated("name")
    translated_description = Translated("description")

    class Meta(TranslatableContent.Meta):
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class CityType(Vocabulary):
    # Declared on this side so that places (a lower floor) imports nothing of the depository; the
    # table and its columns are those of the former `City.city_types`, and `city.city_types` still reads it.
    cities = models.ManyToManyField(
        "places.City",
        verbose_name=_("cities"),
        blank=True,
        related_name="city_types",
        db_table="depository_city_city_types",
    )

    class Meta(Vocabulary.Meta):
        verbose_name = _("city type")
        verbose_name_plural = _("city types")


class ViolenceType(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("violence type")
        verbose_name_plural = _("violence types")


class Theme(Vocabulary):
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent theme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta(Vocabulary.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="theme_not_own_parent"),
        ]

    def clean(self):
        # Themes nest one level deep: a parent's filter and count include its children, and the
        # browse page's SQL relies on there being no grandchildren.
        if self.parent_id is None:
            return
        if self.parent.parent_id is not None:
            raise ValidationError({"parent": _("A theme's parent must be a top-level theme.")})
        if self.pk and self.children.exists():
            raise ValidationError({"parent": _("A theme with sub-themes cannot itself have a parent.")})
