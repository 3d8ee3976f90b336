from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from core import ratelimits
from core.auth_backends import client_ip_address
from members.forms import InvitationAcceptForm, PortalPasswordResetForm
from members.services.invitations import InvitationUnusable, accept_invitation, find_invitation


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request, token):
    """Accept an invitation: a clear page (410) for a link that is used or expired, 404 for an unknown one."""
    try:
        invitation = find_invitation(token)
    except InvitationUnusable as unusable:
        return render(request, "members/invitation_unusable.html", {"reason": unusable.reason}, status=410)
    if invitation is None:
        raise Http404(_("This invitation link is not known."))
    form = InvitationAcceptForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = accept_invitation(
                invitation=invitation,
                username=data["username"],
                password=data["password1"],
                person_name=data.get("person_name", "").strip(),
                organization=data.get("organization"),
                organization_name=data.get("organization_name", "").strip(),
            )
        except InvitationUnusable as unusable:
            return render(request, "members/invitation_unusable.html", {"reason": unusable.reason}, status=410)
        except ValidationError as error:
            # Someone took the user name or the person between the form's checks and the save.
            form.add_error(None, error.messages)
            return render(request, "members/invitation.html", {"invitation": invitation, "form": form}, status=400)
        login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to the TWG Portal. Your account is ready."))
        return redirect("members:dashboard")
    return render(request, "members/invitation.html", {"invitation": invitation, "form": form})


def password_reset_rate_limited(request):
    """Whether this password-reset request goes over a limit: per address (PASSWORD_RESET_RATE_PER_ADDRESS)
    or per e-mail address asked for (PASSWORD_RESET_RATE_PER_ACCOUNT), both rates as "3/h". Every POST
    counts, whether or not the address has an account, so the answer tells nothing about accounts
    (issue 13, finding 7: 20 requests sent 20 e-mails to one member). The counters are rows of a table
    (core/ratelimits.py), which nothing culls (issue 22, finding 1)."""
    by_address = ratelimits.hit(
        "password_reset:address", client_ip_address(request), settings.PASSWORD_RESET_RATE_PER_ADDRESS
    )
    by_account = ratelimits.hit(
        "password_reset:account",
        request.POST.get("email", "").strip().casefold(),
        settings.PASSWORD_RESET_RATE_PER_ACCOUNT,
    )
    return by_address.limited or by_account.limited


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, refused with a 429 page (and no e-mail) over the rate limits."""

    form_class = PortalPasswordResetForm

    def post(self, request, *args, **kwargs):
        if password_reset_rate_limited(request):
            response = render(request, "registration/password_reset_limited.html", status=429)
            response["Retry-After"] = "3600"
            return response
        return super().post(request, *args, **kwargs)
