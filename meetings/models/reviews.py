"""Progress reviews of the work plan (issue 24): on a day, some people took stock of the milestones, and per
milestone recorded what changed. `meetings.services.reviews.apply_review` carries the changes over to the
milestones; each milestone's history is its changes, newest review first."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel
from meetings.models import MilestoneStatus  # defined before this module is imported (models/__init__.py)
from people.models import Person

NOTE_MAX_LENGTH = 1000


class ProgressReview(CleanTextModel):
    held_on = models.DateField(_("date of the review"))
    summary = models.CharField(_("summary"), max_length=2000, blank=True)
    participants = models.ManyToManyField(
        Person,
        verbose_name=_("who took part"),
        blank=True,
        related_name="progress_reviews",
        help_text=_("Shown on the work plan as each person's disclosure level allows."),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress review")
        verbose_name_plural = _("progress reviews")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return str(_("Progress review of %(date)s") % {"date": self.held_on.isoformat()})


class MilestoneChange(CleanTextModel):
    """What one review changed in one milestone. An empty field leaves the milestone's value as it was."""

    review = models.ForeignKey(
        ProgressReview, verbose_name=_("review"), on_delete=models.CASCADE, related_name="changes"
    )
    milestone = models.ForeignKey(
        "meetings.Milestone", verbose_name=_("milestone"), on_delete=models.CASCADE, related_name="changes"
    )
    status = models.CharField(
        _("new status"),
        max_length=16,
        blank=True,
        choices=MilestoneStatus.choices,
        help_text=_("Empty: unchanged."),
    )
    start_date = models.DateField(_("new planned start"), null=True, blank=True)
    due_date = models.DateField(_("new due date"), null=True, blank=True)
    started_on = models.DateField(_("actually started"), null=True, blank=True)
    completed_on = models.DateField(_("actually completed"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    # What the milestone said before this change was applied: the history shows "from ... to ...".
    previous_status = models.CharField(_("status before"), max_length=16, blank=True, editable=False)
    previous_due_date = models.DateField(_("due date before"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("milestone change")
        verbose_name_plural = _("milestone changes")
        ordering = ["-review__held_on", "-review_id", "id"]
        constraints = [
            # One row per milestone and review: the service applies them per milestone.
            models.UniqueConstraint(fields=["review", "milestone"], name="milestone_change_once_per_review"),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | Q(completed_on__isnull=True)
                | Q(completed_on__gte=models.F("started_on")),
                name="milestone_change_completed_after_started",
            ),
        ]

    def __str__(self):
        return f"{self.milestone} ({self.review})"

    def clean(self):
        """The dates it leaves the milestone with must still make a bar: due on or after the planned start,
        completed on or after the start."""
        super().clean()
        milestone = self.milestone if self.milestone_id else None
        errors = {}
        for first, last, message in [
            ("start_date", "due_date", _("The due date comes before the planned start.")),
            ("started_on", "completed_on", _("It cannot be completed before it started.")),
        ]:
            start = getattr(self, first) or (getattr(milestone, first) if milestone else None)
            end = getattr(self, last) or (getattr(milestone, last) if milestone else None)
            if start and end and end < start:
                errors[last] = message
        if errors:
            raise ValidationError(errors)
