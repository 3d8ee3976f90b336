"""The people and organizations of the network, and who may see a person's name (people/privacy.py).

They sit on a floor beneath the depository and the meetings (docs/architecture.md): a creator of a
work, a participant of a meeting and a member's account all point at one `Person`. The tables keep
the names they had when these models were the meetings app's (`meetings_person`,
`meetings_organization`), so moving the models moved no row.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel
from places.models import City


class OrganizationKind(models.TextChoices):
    UN = "un", _("United Nations")
    INTERNATIONAL = "international", _("International organization")
    GOVERNMENT = "government", _("National government")
    CITY = "city", _("City or municipality")
    NGO = "ngo", _("Non-governmental organization")
    RESEARCH = "research", _("Research or academic institution")
    FOUNDATION = "foundation", _("Foundation")
    DONOR = "donor", _("Development agency or donor")
    PRIVATE = "private", _("Private company")
    NETWORK = "network", _("Network or platform")
    OTHER = "other", _("Other")


class Organization(CleanTextModel):
    name = models.CharField(_("name"), max_length=300, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganizationKind.choices, default=OrganizationKind.OTHER)
    city = models.ForeignKey(
        City, verbose_name=_("city"), null=True, blank=True, on_delete=models.SET_NULL, related_name="organizations"
    )
    country = models.CharField(_("country"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    other_spellings = models.CharField(
        _("other spellings"),
        max_length=1000,
        blank=True,
        help_text=_("Other names and spellings found in reports, separated by semicolons; used to match imports."),
    )

    class Meta:
        db_table = "meetings_organization"
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return reverse("meetings:organization", kwargs={"slug": self.slug})


class Disclosure(models.TextChoices):
    """Who may see a person's name on the public pages (people/privacy.py applies it)."""

    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members only (others see 'one participant from <organization>')")
    ORGANIZERS = "organizers", _("Organizers only (others see 'one participant', without the organization)")


class Person(CleanTextModel):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    other_spellings = models.CharField(
        _("other spellings"),
        max_length=1000,
        blank=True,
        help_text=_("Spellings of the name found in reports, separated by semicolons; used to match imports."),
    )
    disclosure = models.CharField(
        _("disclosure"),
        max_length=16,
        choices=Disclosure.choices,
        default=Disclosure.PUBLIC,
        help_text=_("Lower it for people for whom being named at a meeting is a risk."),
    )

    class Meta:
        db_table = "meetings_person"
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self):
        return self.name
