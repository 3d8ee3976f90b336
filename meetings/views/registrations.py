"""Members register for a meeting or an event while its window is open, and withdraw (issue 24)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings.forms import RegistrationForm
from meetings.models import Event, Meeting, Registration
from meetings.services import registrations as services
from people.privacy import Viewer


def member_of(user):
    """The user's member profile (reached through the reverse accessor: this app does not import members), or
    None. Organizers without a profile have no person to become a participant."""
    return getattr(user, "member", None) if user.is_authenticated else None


def registration_context(request, target):
    """What a meeting's or event's page shows of registration to this visitor: whether it is open, their own
    registration (with their own needs and support: theirs to see), and the form. One query for a member."""
    today = timezone.localdate()
    member = member_of(request.user) if Viewer(request.user).is_member else None
    own = None
    if member is not None:
        own = Registration.objects.filter(user=request.user, **{kind_of(target): target}).first()
    return {
        "registration_open": target.registration_is_open(today),
        "registration_target": target,
        "registration_url": reverse(
            f"meetings:{'register' if kind_of(target) == 'meeting' else 'event_register'}", kwargs={"slug": target.slug}
        ),
        "registration_member": member,
        "own_registration": own,
        "registration_form": RegistrationForm() if member is not None and own is None else None,
    }


def kind_of(target):
    return "meeting" if isinstance(target, Meeting) else "event"


def register_for(request, target):
    if not request.user.is_authenticated:
        return redirect_to_login(target.get_absolute_url())
    member = member_of(request.user)
    if member is None:
        raise Http404("Only members can register.")
    form = RegistrationForm(request.POST)
    if not target.registration_is_open(timezone.localdate()):
        return refused(request, target, _("Registration for %(name)s is closed.") % {"name": target.name}, 403)
    if not form.is_valid():
        return render(
            request, "meetings/registration_form.html", {"target": target, "form": form, "refusal": ""}, status=400
        )
    try:
        services.register(
            user=request.user,
            member=member,
            target=target,
            needs=form.cleaned_data["needs"],
            support_requested=form.cleaned_data["support_requested"],
            justification=form.cleaned_data["justification"],
        )
    except services.RegistrationRefused as refusal:
        return refused(request, target, refusal.message, refusal.status)
    messages.success(request, _("You are registered; the organizers will confirm."))
    return redirect(target)


def refused(request, target, message, status):
    return render(request, "meetings/registration_form.html", {"target": target, "refusal": message}, status=status)


@require_POST
def meeting_register(request, slug):
    return register_for(request, get_object_or_404(Meeting, slug=slug))


@require_POST
def event_register(request, slug):
    return register_for(request, get_object_or_404(Event, slug=slug))


@require_POST
def registration_withdraw(request, pk):
    """A member withdraws their own registration (their needs and support request go with it). Anybody else's
    is not found."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    registration = get_object_or_404(Registration.objects.select_related("meeting", "event"), pk=pk, user=request.user)
    target = registration.target
    services.withdraw(registration=registration)
    messages.success(request, _("Your registration for %(name)s is withdrawn.") % {"name": target.name})
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(next_url)
    return redirect(target)
