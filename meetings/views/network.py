"""The network: which organizations and cities took part in which meetings."""

import datetime

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from meetings.models import Meeting, Participation, SessionContribution
from people.models import Organization
from people.privacy import Viewer
from places.models import City


def visible_participations(viewer):
    """Participations that may count on the network pages: an organizers-only person's organization stays
    hidden from everybody but organizers, so their participation is not counted either."""
    return Participation.objects.exclude(person__disclosure__in=viewer.hidden_levels)


@require_safe
def organization_list(request):
    viewer = Viewer(request.user)
    meetings = list(Meeting.objects.listed(timezone.localdate()).order_by("start_date", "name"))
    # One row per (organization, meeting): how many participants, counted in SQL.
    counts = (
        visible_participations(viewer)
        .filter(organization__isnull=False)
        .values_list("organization_id", "meeting_id")
        .annotate(participants=Count("id"))
        .order_by()
    )
    cells = {(org_id, meeting_id): number for org_id, meeting_id, number in counts}
    hosted = set(Meeting.hosts.through.objects.values_list("organization_id", "meeting_id"))
    organization_ids = {org_id for org_id, _ in cells} | {org_id for org_id, _ in hosted}
    organizations = Organization.objects.filter(pk__in=organization_ids).select_related("city").order_by("name")
    rows = [
        {
            "organization": org,
            "cells": [
                {
                    "meeting": meeting,
                    "count": cells.get((org.pk, meeting.pk), 0),
                    "host": (org.pk, meeting.pk) in hosted,
                }
                for meeting in meetings
            ],
        }
        for org in organizations
    ]
    # Cities: those of the organizations that took part, and those the report lists as represented.
    city_cells = {}
    for row in rows:
        if row["organization"].city_id:
            for cell in row["cells"]:
                if cell["count"]:
                    city_cells.setdefault(row["organization"].city_id, set()).add(cell["meeting"].pk)
    for city_id, meeting_id in Meeting.other_cities_represented.through.objects.values_list("city_id", "meeting_id"):
        city_cells.setdefault(city_id, set()).add(meeting_id)
    cities = City.objects.filter(pk__in=city_cells).order_by("name")
    city_rows = [
        {"city": city, "cells": [meeting.pk in city_cells[city.pk] for meeting in meetings]} for city in cities
    ]
    return render(
        request,
        "meetings/organization_list.html",
        {"meetings": meetings, "rows": rows, "city_rows": city_rows},
    )


@require_safe
def organization_detail(request, slug):
    viewer = Viewer(request.user)
    participations = visible_participations(viewer).select_related("person", "meeting").order_by("position", "id")
    contributions = (
        SessionContribution.objects.exclude(person__disclosure__in=viewer.hidden_levels)
        .select_related("person", "session__meeting")
        .order_by("session__date", "session__start_time", "position")
    )
    organization = get_object_or_404(
        Organization.objects.select_related("city").prefetch_related(
            Prefetch("participations", queryset=participations),
            Prefetch("sessioncontribution_set", queryset=contributions, to_attr="visible_contributions"),
            Prefetch("hosted_meetings", queryset=Meeting.objects.select_related("city")),
            "milestones",
        ),
        slug=slug,
    )
    by_meeting = {}
    for participation in organization.participations.all():
        entry = by_meeting.setdefault(participation.meeting, {"meeting": participation.meeting, "people": []})
        entry["people"].append(viewer.show_participation(participation))
    attended = sorted(by_meeting.values(), key=lambda item: item["meeting"].start_date or datetime.date.max)
    return render(
        request,
        "meetings/organization_detail.html",
        {
            "organization": organization,
            "attended": attended,
            "contributions": [
                {"session": c.session, "role": c.get_role_display(), "person": viewer.show_contribution(c)}
                for c in organization.visible_contributions
            ],
        },
    )
