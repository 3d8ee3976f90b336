"""Members' input papers, their file versions and the history of their review."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from core.roles import is_organizer
from core.text import CleanTextModel
from depository.models import CityType, Entry, ExtractionStatus, Language, Theme, ViolenceType
from meetings.models import Meeting
from members.models.accounts import Member
from members.storage import get_private_storage
from people.models import Organization, Person
from places.models import City


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

    def of_member(self, member):
        """Papers the member submitted or co-authors (their person is among the authors)."""
        condition = Q(submitted_by=member)
        if member.person_id:
            co_authored = InputPaper.authors.through.objects.filter(
                inputpaper=OuterRef("pk"), person_id=member.person_id
            )
            condition |= Q(Exists(co_authored))
        return self.filter(condition)

    def visible_to(self, user):
        """What a user may see of the unpublished papers: organizers all, members their own, others none."""
        if not user.is_authenticated:
            return self.none()
        if is_organizer(user):
            return self.all()
        member = getattr(user, "member", None)
        if member is None:
            return self.none()
        return self.of_member(member)


class InputPaper(CleanTextModel):
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

    def get_absolute_url(self):
        return reverse("members:paper", kwargs={"pk": self.pk})

    @property
    def is_editable(self):
        """Authors change the metadata and upload files only while the paper is with them."""
        return self.status in {PaperStatus.DRAFT, PaperStatus.CHANGES_REQUESTED}

    def is_author(self, user):
        member = getattr(user, "member", None)
        if member is None:
            return False
        if self.submitted_by_id == member.pk:
            return True
        # Reads prefetched authors when the page loaded them.
        return bool(member.person_id) and any(person.pk == member.person_id for person in self.authors.all())

    def current_version(self):
        return self.versions.order_by("-number").first()


def paper_version_path(instance, filename):
    # A generated name: the uploaded name is kept only as data (original_name).
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"papers/{uuid.uuid4().hex}{suffix}"


class PaperVersion(CleanTextModel):
    """One uploaded file of a paper; uploading again adds a version, earlier ones stay."""

    paper = models.ForeignKey(InputPaper, verbose_name=_("paper"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), storage=get_private_storage, upload_to=paper_version_path, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=8)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    extracted_text = models.TextField(_("extracted text"), blank=True)
    extraction_status = models.CharField(
        _("text extraction"), max_length=16, choices=ExtractionStatus.choices, default=ExtractionStatus.PENDING
    )
    extraction_error = models.TextField(_("extraction error"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="paper_versions",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("paper version")
        verbose_name_plural = _("paper versions")
        ordering = ["paper", "-number"]
        constraints = [
            # Versions are numbered 1, 2, 3... per paper; the paper page lists them by number.
            models.UniqueConstraint(fields=["paper", "number"], name="paper_version_unique_number"),
        ]

    def __str__(self):
        return f"{self.paper} · v{self.number}"

    def get_absolute_url(self):
        return reverse("members:paper_file", kwargs={"pk": self.paper_id, "number": self.number})


class PaperEvent(CleanTextModel):
    """One step of a paper's workflow: who moved it from which status to which, when, and why."""

    paper = models.ForeignKey(InputPaper, verbose_name=_("paper"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="paper_events",
    )
    from_status = models.CharField(_("from"), max_length=20, choices=PaperStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=PaperStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("paper event")
        verbose_name_plural = _("paper events")
        ordering = ["paper", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_status=models.F("to_status")), name="paper_event_changes_status"),
        ]
        indexes = [
            # The paper page and the admin list a paper's history in order.
            models.Index(fields=["paper", "created_at"], name="paper_event_paper_idx"),
        ]

    def __str__(self):
        return f"{self.paper}: {self.from_status} → {self.to_status}"
