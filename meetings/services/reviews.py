"""Carrying a progress review's changes over to the milestones (the admin calls this on saving a review)."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from meetings.models import Milestone, MilestoneChange

# The change's fields that, when filled, replace the milestone's.
CARRIED_FIELDS = ["status", "start_date", "due_date", "started_on", "completed_on"]


@transaction.atomic
def apply_review(*, review):
    """Apply each of `review`'s milestone changes to its milestone, in one transaction; return the milestones
    changed.

    A change is applied unless a later review (by date, then by the order they were recorded) also changed
    that milestone: saving an old review again never undoes what a newer one recorded. An applied milestone
    becomes tracked (an organizer now watches its due date) and its "status last reviewed" is the review's.
    Running it twice changes nothing more.
    """
    changes = list(review.changes.select_related("milestone").select_for_update(of=("self",)))
    milestone_ids = [change.milestone_id for change in changes]
    newer_review = Q(review__held_on__gt=review.held_on) | Q(review__held_on=review.held_on, review_id__gt=review.pk)
    later = set(
        MilestoneChange.objects.filter(newer_review, milestone_id__in=milestone_ids).values_list(
            "milestone_id", flat=True
        )
    )
    reviewer = _("Progress review of %(date)s") % {"date": review.held_on.isoformat()}
    applied = []
    for change in changes:
        if change.milestone_id in later:
            continue
        milestone = Milestone.objects.select_for_update().get(pk=change.milestone_id)
        if not change.previous_status:  # first application: remember what it replaced
            change.previous_status = milestone.status
            change.previous_due_date = milestone.due_date
            change.save(update_fields=["previous_status", "previous_due_date"])
        for field in CARRIED_FIELDS:
            value = getattr(change, field)
            if value not in (None, ""):
                setattr(milestone, field, value)
        if change.due_date and change.due_date != change.previous_due_date:
            milestone.due_note = ""  # the timing as the report stated it no longer describes the new date
        milestone.tracked = True
        milestone.status_reviewed_on = review.held_on
        milestone.status_reviewed_by = reviewer
        milestone.full_clean()
        milestone.save()
        applied.append(milestone)
    return applied
