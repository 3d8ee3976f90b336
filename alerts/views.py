"""Alert pages: subscribe to the browse page's current search, confirm (visitors), unsubscribe."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from alerts import services
from alerts.forms import AlertForm
from alerts.models import SavedSearch
from core import ratelimits
from core.auth_backends import client_ip_address


@require_http_methods(["GET", "POST"])
def subscribe(request):
    """GET ?<browse query string>: the form; POST: a member's alert is saved, a visitor is sent a
    confirmation link. The search travels in the query string both ways."""
    try:
        query_string = services.canonical_search(request.GET)
    except services.InvalidSearch as invalid:
        return render(request, "alerts/subscribe.html", {"errors": invalid.errors}, status=400)
    member = request.user.is_authenticated
    form = AlertForm(request.POST or None, ask_email=not member)
    if request.method == "POST" and member and not request.user.email:
        form.add_error(None, _("Your account has no e-mail address: ask the organizers to add one."))
    elif request.method == "POST" and form.is_valid():
        choice = {"query_string": query_string, "frequency": form.cleaned_data["frequency"], "language": get_language()}
        if member:
            services.save_search(user=request.user, **choice)
            messages.success(request, _("Alert saved. New entries matching this search will be e-mailed to you."))
            return redirect("alerts:mine")
        retry_after = confirmation_rate_limited(request, form.cleaned_data["email"])
        if retry_after is None:
            services.request_confirmation(email=form.cleaned_data["email"], **choice)
            return render(request, "alerts/check_inbox.html", {"email": form.cleaned_data["email"]})
        form.add_error(
            None,
            _(
                "Too many confirmation e-mails were asked for this address, or from your network. No e-mail "
                "was sent; please try again in an hour."
            ),
        )
        context = {"form": form, "query_string": query_string, "chips": services.describe_search(query_string)}
        response = render(request, "alerts/subscribe.html", context, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "query_string": query_string, "chips": services.describe_search(query_string)}
    return render(request, "alerts/subscribe.html", context, status=status)


def confirmation_rate_limited(request, email):
    """None when a confirmation e-mail may go to `email`, else the seconds until one may. Limited per
    recipient (ALERTS_CONFIRMATION_RATE_PER_RECIPIENT, the address case-folded) and per client address
    (ALERTS_CONFIRMATION_RATE_PER_CLIENT), both counted in a table (core/ratelimits.py): issue 22,
    finding 2, 30 POSTs with one victim's address sent 30 e-mails. Every request counts, sent or not."""
    hits = [
        ratelimits.hit(
            "alerts_confirm:recipient", email.strip().casefold(), settings.ALERTS_CONFIRMATION_RATE_PER_RECIPIENT
        ),
        ratelimits.hit(
            "alerts_confirm:client", client_ip_address(request), settings.ALERTS_CONFIRMATION_RATE_PER_CLIENT
        ),
    ]
    limited = [hit.retry_after for hit in hits if hit.limited]
    return max(limited) if limited else None


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """A visitor's confirmation link: GET asks (mail scanners follow links), POST stores the alert."""
    try:
        choice = services.read_confirmation(token)
    except signing.SignatureExpired:
        return render(request, "alerts/link_invalid.html", {"expired": True}, status=400)
    except signing.BadSignature:
        return render(request, "alerts/link_invalid.html", {"expired": False}, status=400)
    try:
        services.check_storable(choice["query_string"])  # a link mailed before the check existed
    except services.InvalidSearch as invalid:
        return render(request, "alerts/subscribe.html", {"errors": invalid.errors}, status=400)
    if request.method == "POST":
        services.confirm_subscription(**choice)
        return render(request, "alerts/confirmed.html", {"email": choice["email"]})
    return render(request, "alerts/confirm.html", {**choice, "chips": services.describe_search(choice["query_string"])})


@csrf_exempt  # the signed token is the credential; mail clients POST it for one-click unsubscribe (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Works without logging in. GET asks (mail scanners follow links); POST ends the alert(s)."""
    try:
        signing.loads(token, salt=services.UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return render(request, "alerts/link_invalid.html", {"expired": False}, status=400)
    if request.method == "POST":
        count = services.unsubscribe(token)
        return render(request, "alerts/unsubscribed.html", {"count": count})
    return render(request, "alerts/unsubscribe.html", {"token": token})


@login_required
def my_alerts(request):
    """The member's saved searches, each with its unsubscribe button."""
    searches = SavedSearch.objects.filter(user=request.user).order_by("-created_at")
    rows = [
        {
            "saved": saved,
            "chips": services.describe_search(saved.query_string),
            "token": services.unsubscribe_token(saved_search=saved),
        }
        for saved in searches
    ]
    return render(request, "alerts/mine.html", {"rows": rows})
