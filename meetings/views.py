from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from meetings.models import Meeting, Participation, ProgrammeSession, SessionContribution


@require_safe
def meeting_list(request):
    return render(request, "meetings/meeting_list.html", {"meetings": Meeting.objects.listed()})


@require_safe
def meeting_detail(request, slug):
    meeting = get_object_or_404(
        Meeting.objects.select_related("city").prefetch_related(
            "hosts",
            Prefetch(
                "sessions",
                queryset=ProgrammeSession.objects.prefetch_related(
                    Prefetch("contributions", queryset=SessionContribution.objects.select_related("person"))
                ),
            ),
            Prefetch("participations", queryset=Participation.objects.select_related("person", "organization")),
        ),
        slug=slug,
    )
    return render(request, "meetings/meeting_detail.html", {"meeting": meeting})
