"""Cities of the network: where meetings are held, practices come from and members work.

A floor beneath people, the depository and the meetings (docs/architecture.md). The table keeps the
name it had as the depository's (`depository_city`), so moving the model moved no row. A city's city
types are the depository's vocabulary: the relation is declared there (`CityType.cities`), so that
this floor imports nothing above it; `city.city_types` reads it as before.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel


class City(CleanTextModel):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    country = models.CharField(_("country"), max_length=120, blank=True)
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
        db_table = "depository_city"
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
