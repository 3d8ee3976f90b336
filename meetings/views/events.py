"""Courses, trainings and side events beside the meetings (issue 15): a page, iCal, register interest."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from meetings.models import Event
from meetings.views.calendars import ics_response
from meetings.views.registrations import registration_context
from people.privacy import Viewer


@require_safe
def event_detail(request, slug):
    event = get_object_or_404(Event.objects.listed(timezone.localdate()).prefetch_related("organizers"), slug=slug)
    user = request.user
    return render(
        request,
        "meetings/event_detail.html",
        {
            "event": event,
            "may_register": Viewer(user).is_member,
            "registered": user.is_authenticated and event.interested.filter(pk=user.pk).exists(),
            **registration_context(request, event),
        },
    )


@require_POST
def event_interest(request, slug):
    """A member says (or withdraws, with `withdraw`) that they are interested in the event. Members only:
    anybody else is sent to log in; the list of who is interested is for organizers (the admin)."""
    event = get_object_or_404(Event, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(event.get_absolute_url())
    if not Viewer(request.user).is_member:
        raise Http404("Only members can register interest.")
    if "withdraw" in request.POST:
        event.interested.remove(request.user)
        messages.success(request, _("Your interest is withdrawn."))
    else:
        event.interested.add(request.user)
        messages.success(request, _("Your interest is registered; the organizers can see it."))
    return redirect(event)


@require_safe
def event_ics(request, slug):
    # An event without dates cannot be put in a calendar: there is nothing to download.
    event = get_object_or_404(Event.objects.dated(), slug=slug)
    return ics_response([event], request=request, name=event.name, filename=f"{event.slug}.ics")
