"""Login lockout: django-axes, wired so every login through a web request is counted.

`LoginLockoutBackend` comes first in AUTHENTICATION_BACKENDS. On each `authenticate(request, ...)`
it refuses an attempt for a username or an address that has reached the failure limit (axes then
answers with the lockout page, status 429); otherwise it steps aside and ModelBackend checks the
password. Failures are counted by axes' `user_login_failed` signal handler, so any login view that
calls `authenticate()` with the request (the admin's, and Django's `LoginView` for members) is covered
without code of its own.
"""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render


class LoginLockoutBackend(AxesStandaloneBackend):
    """Axes' standalone backend, which also lets `authenticate()` without a request through.

    Without a request there is no address to count and no page to lock: that is a management
    command, a shell or the test client's `login()`, never a visitor. Every web login passes the
    request (Django's AuthenticationForm does), and is counted.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip_address(request):
    """The visitor's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT reverse proxies, the
    address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, since a
    visitor can write anything on the left)."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets (status 429), whichever login view it came through."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
