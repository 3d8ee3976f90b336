"""The meetings timeline and a meeting's page (the work plan: meetings/views/workplan.py)."""

import datetime
from itertools import groupby

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from depository.models import Attachment, Entry
from meetings.models import (
    AHEAD,
    Event,
    Meeting,
    Milestone,
    Participation,
    ParticipationRole,
    ProgrammeSession,
    SessionContribution,
)
from meetings.views.registrations import registration_context
from people.privacy import Viewer

# Input papers that are public facts: announced at a meeting, or published. Drafts and papers under
# review stay with their authors (the members app). Named by value: this app does not import members.
PUBLIC_PAPER_STATUSES = ["proposed", "published"]


@require_safe
def meeting_list(request):
    """The timeline of meetings and events together: what is still ahead, soonest first; then the rest,
    newest first. Undated items sort by the end of their stated timing, or last."""
    today = timezone.localdate()
    events = list(Event.objects.listed(today))
    upcoming = list(Meeting.objects.upcoming(today)) + [e for e in events if e.standing in AHEAD]
    past = list(Meeting.objects.past(today)) + [e for e in events if e.standing not in AHEAD]
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "upcoming": sorted(upcoming, key=lambda item: (timeline_day(item) or datetime.date.max, item.name)),
            "past": sorted(past, key=lambda item: (timeline_day(item) or datetime.date.min, item.name), reverse=True),
        },
    )


def timeline_day(item):
    """The day a meeting or event sits at on the timeline (its start, else the end of its timing)."""
    return item.start_date or item.timing_ends


def meeting_page_queryset():
    """Everything a meeting's page shows, in a fixed number of queries whatever the list's length."""
    InputPaper = Meeting._meta.get_field("proposed_papers").related_model
    contributions = SessionContribution.objects.select_related("person", "organization")
    return Meeting.objects.select_related("city", "report").prefetch_related(
        "hosts",
        "other_cities_represented",
        Prefetch(
            "sessions", queryset=ProgrammeSession.objects.prefetch_related(Prefetch("contributions", contributions))
        ),
        Prefetch("participations", queryset=Participation.objects.select_related("person", "organization")),
        Prefetch("related_entries", queryset=Entry.objects.published().order_by("title"), to_attr="published_entries"),
        Prefetch(
            "report__attachments",
            queryset=Attachment.objects.filter(is_public=True).order_by("uploaded_at", "id"),
            to_attr="public_attachments",
        ),
        Prefetch(
            "proposed_papers",
            queryset=InputPaper.objects.filter(status__in=PUBLIC_PAPER_STATUSES)
            .select_related("entry")
            .prefetch_related("authors")
            .order_by("title"),
            to_attr="public_papers",
        ),
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "position")),
    )


def programme_days(sessions, viewer):
    """The programme day by day; each session with its people as this viewer may see them."""
    days = []
    for day, day_sessions in groupby(sessions, key=lambda session: session.date):
        rows = []
        for session in day_sessions:
            rows.append(
                {
                    "session": session,
                    "speakers": [viewer.show_contribution(c) for c in session.speakers],
                    "presenters": [viewer.show_contribution(c) for c in session.kickoff_presenters],
                    "facilitators": [viewer.show_contribution(c) for c in session.facilitators],
                    "rapporteurs": [viewer.show_contribution(c) for c in session.rapporteurs],
                }
            )
        days.append({"date": day, "sessions": rows})
    return days


def participant_groups(participations, viewer):
    """Participants grouped by organization (named groups by name; the rest last), in list order."""
    groups = {}
    for participation in participations:
        shown = viewer.show_participation(participation)
        groups.setdefault(shown.organization, []).append(shown)
    named = sorted((org for org in groups if org is not None), key=lambda org: org.name.casefold())
    ordered = [{"organization": org, "people": groups[org]} for org in named]
    if None in groups:
        ordered.append({"organization": None, "people": groups[None]})
    return ordered


@require_safe
def meeting_detail(request, slug):
    meeting = get_object_or_404(meeting_page_queryset().with_standing(timezone.localdate()), slug=slug)
    viewer = Viewer(request.user)
    participations = list(meeting.participations.all())
    report = meeting.report if meeting.report_id and meeting.report.is_public else None
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "days": programme_days(meeting.sessions.all(), viewer),
            "participant_count": len(participations),
            "participant_groups": participant_groups(participations, viewer),
            "rapporteurs": [
                viewer.show_participation(p) for p in participations if p.role == ParticipationRole.RAPPORTEUR
            ],
            "report": report,
            "related_entries": [entry for entry in meeting.published_entries if entry.pk != meeting.report_id],
            "papers": [
                {"paper": paper, "authors": [viewer.show(person) for person in paper.authors.all()]}
                for paper in meeting.public_papers
            ],
            **registration_context(request, meeting),
        },
    )
