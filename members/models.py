"""TWG members and what they contribute: input papers (and, later, answers to guiding questions)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from depository.models import City, CityType, Entry, Language, Theme, ViolenceType
from meetings.models import Meeting, Organization, Person


class Member(models.Model):
    """A user account of a TWG member, linked to the person the meeting records know."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="member"
    )
    person = models.OneToOneField(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="member"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["person__name", "user__username"]

    def __str__(self):
        return self.person.name if self.person_id else self.user.get_username()


class PaperStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    ACCEPTED = "accepted", _("Accepted")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class InputPaperQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=PaperStatus.PUBLISHED)

    def for_listing(self):
        return self.select_related("submitted_by__person").prefetch_related("authors")


class InputPaper(models.Model):
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    abstract = models.TextField(_("abstract"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH)
    authors = models.ManyToManyField(Person, verbose_name=_("authors"), blank=True, related_name="input_papers")
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="input_papers",
    )
    submitted_by = models.ForeignKey(
        Member, verbose_name=_("submitted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="papers"
    )
    proposed_at = models.ForeignKey(
        Meeting,
        verbose_name=_("proposed at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_papers",
    )
    city_types = models.ManyToManyField(CityType, verbose_name=_("city types"), blank=True, related_name="input_papers")
    violence_types = models.ManyToManyField(
        ViolenceType, verbose_name=_("violence types"), blank=True, related_name="input_papers"
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="input_papers")
    cities = models.ManyToManyField(City, verbose_name=_("cities"), blank=True, related_name="input_papers")
    tags = TaggableManager(verbose_name=_("tags"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PaperStatus.choices, default=PaperStatus.DRAFT)
    entry = models.OneToOneField(
        Entry,
        verbose_name=_("depository entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="input_paper",
        help_text=_("The public depository entry, once the paper is published."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = InputPaperQuerySet.as_manager()

    class Meta:
        verbose_name = _("input paper")
        verbose_name_plural = _("input papers")
        ordering = ["-updated_at"]
        indexes = [
            # The organizers' review queue filters papers by status.
            models.Index(fields=["status", "-updated_at"], name="paper_status_updated_idx"),
        ]

    def __str__(self):
        return self.title
