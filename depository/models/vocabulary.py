"""The typology's controlled vocabularies (city type, violence type, theme) and cities."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from depository.models.translations import Language, TranslatableContent, Translated, translation_field
from twg_portal.text import CleanTextModel


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


class City(CleanTextModel):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    country = models.CharField(_("country"), max_length=120, blank=True)
    city_types = models.ManyToManyField(CityType, verbose_name=_("city types"), blank=True, related_name="cities")
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True, help_text=_("Degrees north (WGS 84).")
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True, help_text=_("Degrees east (WGS 84).")
    )
    coordinates_source = models.CharField(
        _("source of the coordinates"),
        max_length=300,
        blank=True,
        help_text=_("The gazetteer record the coordinates come from, e.g. 'GeoNames 2660646'."),
    )
    in_cluster = models.BooleanField(
        _("in the cluster of cities"),
        default=False,
        help_text=_("One of the 'cluster of about 20 cities' the inception report expects (section 2)."),
    )
    typology_example_group = models.PositiveSmallIntegerField(
        _("typology example group"),
        null=True,
        blank=True,
        help_text=_(
            "The group of example cities the inception report puts the city in (work plan item 7: 'Juba, "
            "Mogadishu, Timbuktu vs. Raqqa, Bogota and L.A.'): 1 or 2."
        ),
    )

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]
        constraints = [
            # One record per city: the reports name some cities several times, in several ways.
            models.UniqueConstraint(fields=["name", "country"], name="city_unique_name_country"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="city_coordinates_on_earth",
            ),
            models.CheckConstraint(
                condition=Q(typology_example_group__isnull=True) | Q(typology_example_group__in=[1, 2]),
                name="city_typology_example_group_1_or_2",
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.country}" if self.country else self.name

    def get_absolute_url(self):
        return reverse("places:city", kwargs={"slug": self.slug})

    @property
    def has_coordinates(self):
        return self.latitude is not None and self.longitude is not None
