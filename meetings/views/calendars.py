"""Meetings as iCalendar files that calendar applications import."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from meetings import ical
from meetings.models import Meeting


def ics_response(meetings, *, request, name, filename):
    text = ical.calendar(
        meetings, url_for=lambda meeting: request.build_absolute_uri(meeting.get_absolute_url()), name=name
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def meeting_ics(request, slug):
    # A meeting without dates cannot be put in a calendar: there is nothing to download.
    meeting = get_object_or_404(Meeting.objects.dated(), slug=slug)
    return ics_response([meeting], request=request, name=meeting.name, filename=f"{meeting.slug}.ics")


@require_safe
def calendar_ics(request):
    return ics_response(Meeting.objects.dated(), request=request, name=_("TWG meetings"), filename="twg-meetings.ics")
