"""The work plan: milestones grouped, on a timeline of planned against actual dates, with each one's history
of progress reviews, and the reviews themselves (issue 24)."""

from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language_bidi
from django.views.decorators.http import require_safe

from meetings import workplan as plan
from meetings.models import Milestone, MilestoneChange, ProgressReview
from people.models import Person
from people.privacy import Viewer


def workplan_queryset(today, grouping):
    queryset = Milestone.objects.for_workplan(today).prefetch_related(
        Prefetch("changes", queryset=MilestoneChange.objects.select_related("review"), to_attr="history")
    )
    return grouping.prepare(queryset) if grouping.prepare else queryset


@require_safe
def workplan(request):
    today = timezone.localdate()
    viewer = Viewer(request.user)
    groupings = plan.available_groupings()
    grouping = groupings.get(request.GET.get("by", ""), groupings[plan.DEFAULT_GROUPING])
    milestones = list(workplan_queryset(today, grouping))
    groups = plan.group_milestones(milestones, grouping)
    reviews = ProgressReview.objects.prefetch_related(
        Prefetch("participants", queryset=Person.objects.order_by("name"))
    ).order_by("-held_on", "-id")
    return render(
        request,
        "meetings/workplan.html",
        {
            "milestones": milestones,
            "groups": groups,
            "groupings": groupings.values(),
            "grouping": grouping,
            "chart": plan.timeline(groups, today=today, rtl=get_language_bidi()) if milestones else None,
            "reviews": [
                {"review": review, "people": [viewer.show(person) for person in review.participants.all()]}
                for review in reviews
            ],
            "today": today,
        },
    )
