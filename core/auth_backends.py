"""Login lockout: django-axes, wired so every login through a web request is counted.

`LoginLockoutBackend` comes first in AUTHENTICATION_BACKENDS. On each `authenticate(request, ...)`
it refuses an attempt for a (username, address) pair that has reached the failure limit, and slows
down a username that many addresses together have failed for (axes then answers with the lockout
page, status 429); otherwise it steps aside and ModelBackend checks the password. Neither a username
alone nor an address alone is ever locked: either would let anyone lock the real organizer out, or
everyone behind one address (issue 13, finding 5; docs/security.md, "Login lockout").
Failures are counted by axes' `user_login_failed` signal handler, so any login view that calls
`authenticate()` with the request (the admin's, and Django's `LoginView` for members) is covered
without code of its own.
"""

import ipaddress
import math

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone


class LoginLockoutBackend(AxesStandaloneBackend):
    """Axes' standalone backend, which also lets `authenticate()` without a request through.

    Without a request there is no address to count and no page to lock: that is a management
    command, a shell or the test client's `login()`, never a visitor. Every web login passes the
    request (Django's AuthenticationForm does), and is counted.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        wait = username_slowdown_seconds(login_username(request, {"username": username}))
        if wait:
            # Refused before the password is checked, so a slowed attempt tells nothing; marked as axes
            # marks a lockout (AxesMiddleware then answers with lockout_response), and, like a locked
            # attempt, it is not recorded as a failure (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT).
            request.axes_locked_out = True
            request.login_retry_after = wait
            raise AxesBackendPermissionDenied("Too many failed logins for this username from many addresses")
        return None


def username_slowdown_seconds(username):
    """Whole seconds before the next attempt for `username` may be checked; 0 when it may be now.

    Once the username has LOGIN_USERNAME_SLOWDOWN_AFTER failures within the cool-off (summed over every
    address), one attempt is checked per LOGIN_USERNAME_SLOWDOWN_SECONDS after the latest failure: a
    guesser with many addresses gets one guess per that many seconds, and the real user, from any
    address, waits at most that long. One query (the axes_accessattempt rows of the username).
    """
    if not username:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start"), latest=Max("attempt_time")
    )
    if (recent["failures"] or 0) < settings.LOGIN_USERNAME_SLOWDOWN_AFTER:
        return 0
    remaining = (recent["latest"] - timezone.now()).total_seconds() + settings.LOGIN_USERNAME_SLOWDOWN_SECONDS
    return max(0, math.ceil(remaining))


# No account's name is longer (User.username); axes stores the name in a 255-character column, and a
# 5,000-character name there was a 500 (issue 13, finding 8).
USERNAME_MAX_LENGTH = 150


def login_username(request, credentials=None):
    """The user name a login attempt is counted under (AXES_USERNAME_CALLABLE): from the credentials
    passed to authenticate(), else the form's `username`; cut to USERNAME_MAX_LENGTH characters."""
    username = (credentials or {}).get("username")
    if username is None:
        username = request.POST.get("username")
    return None if username is None else str(username)[:USERNAME_MAX_LENGTH]


def client_ip_address(request):
    """The visitor's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT reverse proxies, the
    address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, since a
    visitor can write anything on the left). Always a valid IPv4/IPv6 address or None: axes stores it
    in an `inet` column, and "not-an-ip" there was a 500 (issue 13, finding 8)."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops and valid_address(forwarded[-hops]):
            return forwarded[-hops]
    address = request.META.get("REMOTE_ADDR")
    return address if valid_address(address) else None


def valid_address(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out or slowed-down login gets (status 429, with Retry-After in seconds),
    whichever login view it came through."""
    retry_after = getattr(request, "login_retry_after", None)
    if retry_after:
        context = {"retry_after": retry_after}
    else:
        cool_off = get_cool_off(request)
        retry_after = int(cool_off.total_seconds()) if cool_off else None
        context = {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        }
    response = render(request, "lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
