from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from meetings.models import Meeting, Registration
from members.models import InputPaper, Member, PaperStatus, Question


@require_safe
@login_required
def dashboard(request):
    """The member's own page: papers, answers, what awaits them, upcoming meetings."""
    member = Member.objects.select_related("person").filter(user=request.user).first()
    upcoming = (
        Meeting.objects.filter(start_date__gte=timezone.localdate()).select_related("city").order_by("start_date")
    )
    context = {"member": member, "upcoming_meetings": upcoming}
    if member is not None:
        papers = list(InputPaper.objects.of_member(member).order_by("-updated_at"))
        context.update(
            papers=papers,
            papers_awaiting=[paper for paper in papers if paper.status == PaperStatus.CHANGES_REQUESTED],
            registrations=Registration.objects.of_user(request.user),
            answers=member.answers.select_related("question").order_by("question__position", "question_id"),
            open_questions=Question.objects.open()
            .exclude(answers__member=member)
            .order_by(F("deadline").asc(nulls_last=True), "position"),
        )
    return render(request, "members/dashboard.html", context)
