"""The network between meetings (issue 24): members' expertise profiles, and sub-groups with their
members, updates and e-mail deliveries.

A floor of its own, above members/alerts/usage and below portal (docs/architecture.md): a profile
extends a `members.Member` with the depository's vocabularies, and a sub-group links to the work
plan's `meetings.Milestone` and to meetings from this side, so no lower app's model changes.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel
from depository.models import CityType, Language, Theme, ViolenceType
from meetings.models import Meeting, Milestone
from members.models import Member
from people.models import Disclosure
from places.models import City

# The free text of a profile and of an update: short by design (a directory card, an e-mail).
ABOUT_MAX_LENGTH = 600
UPDATE_MAX_LENGTH = 4000


class ProfileQuerySet(models.QuerySet):
    def listed_to(self, viewer):
        """The profiles `viewer` (people.privacy.Viewer) may find in the network: organizers every one,
        hidden ones included; members those listed, of active accounts, whose person's name members may
        see (public or members-only disclosure); anybody else none. Filtered in SQL, so counts agree."""
        if viewer.is_organizer:
            return self.all()
        if not viewer.is_member:
            return self.none()
        return self.filter(
            is_hidden=False,
            member__user__is_active=True,
            member__person__disclosure__in=[Disclosure.PUBLIC, Disclosure.MEMBERS],
        )

    def for_cards(self):
        """What a directory card shows, in three queries whatever the number of profiles."""
        return self.select_related("member__person", "member__organization", "member__user").prefetch_related(
            "themes", "city_types", "violence_types", "cities"
        )


class Profile(CleanTextModel):
    """A member's expertise, in the depository's own vocabularies, as the directory lists it."""

    member = models.OneToOneField(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("role"), max_length=200, blank=True, help_text=_("Your position or role."))
    cities = models.ManyToManyField(
        City, verbose_name=_("cities worked in"), blank=True, related_name="network_profiles"
    )
    languages = ArrayField(
        models.CharField(max_length=2, choices=Language.choices),
        verbose_name=_("languages"),
        default=list,
        blank=True,
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="network_profiles")
    city_types = models.ManyToManyField(
        CityType, verbose_name=_("city types"), blank=True, related_name="network_profiles"
    )
    violence_types = models.ManyToManyField(
        ViolenceType, verbose_name=_("violence types"), blank=True, related_name="network_profiles"
    )
    about = models.TextField(
        _("about your work"),
        max_length=ABOUT_MAX_LENGTH,
        blank=True,
        help_text=_("A few sentences, plain text (at most %(count)d characters).") % {"count": ABOUT_MAX_LENGTH},
    )
    is_hidden = models.BooleanField(
        _("hide my profile"),
        default=False,
        help_text=_("Hidden profiles are listed nowhere, except to the organizers."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("network profile")
        verbose_name_plural = _("network profiles")
        ordering = ["member__person__name"]
        constraints = [
            # The form bounds it too; the database holds the line for the admin and services.
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("about"), ABOUT_MAX_LENGTH), name="network_profile_about_bounded"
            ),
        ]

    def __str__(self):
        return str(self.member)

    @property
    def language_labels(self):
        labels = dict(Language.choices)
        return [str(labels.get(code, code)) for code in self.languages]


class SubGroup(CleanTextModel):
    """A sub-group working on specific issues in greater detail, created by the organizers."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    purpose = models.TextField(_("purpose"))
    lead = models.ForeignKey(
        Member,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_subgroups",
        help_text=_("The lead may accept requests to join, like the organizers."),
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="subgroups")
    city_types = models.ManyToManyField(CityType, verbose_name=_("city types"), blank=True, related_name="subgroups")
    violence_types = models.ManyToManyField(
        ViolenceType, verbose_name=_("violence types"), blank=True, related_name="subgroups"
    )
    milestones = models.ManyToManyField(
        Milestone, verbose_name=_("work plan milestones"), blank=True, related_name="subgroups"
    )
    meetings = models.ManyToManyField(Meeting, verbose_name=_("meetings"), blank=True, related_name="subgroups")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("sub-group")
        verbose_name_plural = _("sub-groups")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("network:subgroup", kwargs={"slug": self.slug})

    def is_led_by(self, member):
        return member is not None and self.lead_id == member.pk


class MembershipStatus(models.TextChoices):
    REQUESTED = "requested", _("Asked to join")
    ACCEPTED = "accepted", _("Member")


class Delivery(models.TextChoices):
    """How a sub-group member receives its updates by e-mail."""

    IMMEDIATE = "immediate", _("Each update at once")
    DIGEST = "digest", _("A weekly digest")
    NONE = "none", _("No e-mail")


class SubGroupMembership(CleanTextModel):
    subgroup = models.ForeignKey(
        SubGroup, verbose_name=_("sub-group"), on_delete=models.CASCADE, related_name="memberships"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="subgroup_memberships"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=MembershipStatus.choices, default=MembershipStatus.REQUESTED
    )
    delivery = models.CharField(_("e-mail"), max_length=12, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    # The language of the page the member joined from or last chose the delivery on: their e-mails'.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    # The digest's high-water mark: updates posted after it are in the next digest (network.services).
    digested_until = models.DateTimeField(_("digest sent up to"), null=True, blank=True)

    class Meta:
        verbose_name = _("sub-group membership")
        verbose_name_plural = _("sub-group memberships")
        ordering = ["subgroup", "status", "requested_at"]
        constraints = [
            # Asking twice is one request (the join view's INSERT ... ON CONFLICT DO NOTHING).
            models.UniqueConstraint(fields=["subgroup", "member"], name="network_membership_once"),
            # An accepted membership says when (the sub-group page and the digest's start read it).
            models.CheckConstraint(
                condition=Q(status=MembershipStatus.REQUESTED) | Q(accepted_at__isnull=False),
                name="network_membership_accepted_has_date",
            ),
        ]
        indexes = [
            # The digest command reads the accepted digest deliveries.
            models.Index(fields=["delivery", "status"], name="network_membership_delivery"),
        ]

    def __str__(self):
        return f"{self.member} · {self.subgroup}"

    def clean(self):
        if self.status == MembershipStatus.ACCEPTED and self.accepted_at is None:
            self.accepted_at = timezone.now()
        if self.status == MembershipStatus.REQUESTED and self.accepted_at is not None:
            raise ValidationError({"status": _("An accepted membership cannot go back to a request.")})


class SubGroupUpdateQuerySet(models.QuerySet):
    def for_listing(self):
        """With the author, their person and organization, and `author_hidden` (their profile is hidden)."""
        hidden = Profile.objects.filter(member=models.OuterRef("author_id"), is_hidden=True)
        return self.select_related("author__person", "author__organization", "subgroup").annotate(
            author_hidden=models.Exists(hidden)
        )


class SubGroupUpdate(CleanTextModel):
    """A dated update posted by one of the sub-group's members, e-mailed to the others."""

    subgroup = models.ForeignKey(
        SubGroup, verbose_name=_("sub-group"), on_delete=models.CASCADE, related_name="updates"
    )
    author = models.ForeignKey(
        Member, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="subgroup_updates"
    )
    text = models.TextField(_("update"), max_length=UPDATE_MAX_LENGTH)
    posted_at = models.DateTimeField(_("posted"), default=timezone.now)

    objects = SubGroupUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("sub-group update")
        verbose_name_plural = _("sub-group updates")
        ordering = ["-posted_at"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), UPDATE_MAX_LENGTH), name="network_update_text_bounded"
            ),
        ]
        indexes = [
            # The sub-group page lists its updates newest first; the digest reads them by date.
            models.Index(fields=["subgroup", "-posted_at"], name="network_update_by_subgroup"),
        ]

    def __str__(self):
        return f"{self.subgroup} · {self.posted_at:%Y-%m-%d}"
