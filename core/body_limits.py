"""How large a request body each path accepts: one table for Django and for nginx.

Django reads a request's body when a view (or the CSRF middleware) first touches `request.POST`,
and `DATA_UPLOAD_MAX_MEMORY_SIZE` bounds only the fields that are not files: a 300 MB multipart
POST to the login page was read in full and spooled to /tmp (issue 13, finding 2). So the limit
is checked on the declared `Content-Length` before anything reads the body:

- `RequestBodyLimitMiddleware` answers 413 here, for deployments without a front server;
- `manage.py nginx_config` writes the same limits as `client_max_body_size` per location, so that
  behind nginx the body is refused before it reaches a worker at all.

A body without `Content-Length` (chunked) never reaches a view: Django reads at most
`Content-Length` bytes, 0 when it is absent, and nginx, which buffers the body, sends the length.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.template.defaultfilters import filesizeformat

from core.protocols import error_response

# Room for a multipart body's boundaries, part headers and the form's other fields beside one file.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
# A log-in or password form: a user name, a password of at most a few hundred characters, a CSRF
# token and a `next` address. Anything bigger is not a person logging in.
LOGIN_MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class BodyLimit:
    """One row of the table: `pattern`, a regular expression matched against the whole path (and
    written as is into an nginx regex location), and `limit()`, in bytes."""

    name: str
    pattern: str
    setting: str | None  # the setting naming the file limit; None for the fixed log-in limit

    def limit(self):
        if self.setting is None:
            return LOGIN_MAX_BODY_BYTES
        return getattr(settings, self.setting) + MULTIPART_OVERHEAD_BYTES


# Uploads, one setting each, which the form's promise (core.sizes.upload_promise), its validation and
# this limit all read (tests/test_upload_limits.py checks every row: issue 22, finding 4): the
# members' paper upload, the admin's attachment forms, the entry, reference and participant imports;
# then the log-in and password forms. Every other path:
# DATA_UPLOAD_MAX_MEMORY_SIZE, which is all a form without a file can use.
BODY_LIMITS = [
    BodyLimit("member paper upload", r"^/members/papers/\d+/upload/$", "MEMBERS_PAPER_MAX_BYTES"),
    BodyLimit("entry import", r"^/admin/depository/entry/import/$", "ENTRY_IMPORT_MAX_BYTES"),
    # The entry form carries its attachments inline: one save takes one file of up to the limit.
    BodyLimit(
        "attachment upload",
        r"^/admin/depository/(entry|attachment)/(add|\d+/change)/$",
        "ATTACHMENT_MAX_UPLOAD_BYTES",
    ),
    BodyLimit("reference import", r"^/admin/depository/referenceimport/add/$", "REFERENCE_IMPORT_MAX_BYTES"),
    # The list may come as a file or pasted into the text box: either is at most the setting.
    BodyLimit(
        "participant import",
        r"^/admin/meetings/meeting/[^/]+/import-participants/$",
        "PARTICIPANT_IMPORT_MAX_BYTES",
    ),
    BodyLimit("log-in and password forms", r"^/(members/login|members/password/.*|admin/login)/$", None),
]

_COMPILED = [(re.compile(row.pattern), row) for row in BODY_LIMITS]


def default_body_limit():
    """Bytes any other path accepts: DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB unless set)."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


def body_limit_for(path):
    """The largest body, in bytes, that a request to `path` (e.g. "/members/login/") may declare."""
    for pattern, row in _COMPILED:
        if pattern.match(path):
            return row.limit()
    return default_body_limit()


def declared_length(request):
    """The request's Content-Length as an int; None when absent or not a number."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def too_large_response(limit):
    """The 413 page, rendered without the request (the body must stay unread and the session
    untouched). `limit` is in bytes."""
    response = HttpResponse(
        loader.render_to_string("413.html", {"limit": filesizeformat(limit), "limit_bytes": limit}),
        status=413,
    )
    response["Connection"] = "close"  # the unread body cannot be skipped on a kept-alive connection
    response["Cache-Control"] = "no-store"
    return response


class RequestBodyLimitMiddleware:
    """413 for a request whose declared Content-Length exceeds its path's limit (body_limit_for),
    before anything reads the body. Placed before the CSRF middleware, which reads `request.POST`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = declared_length(request)
        if length is not None:
            limit = body_limit_for(request.path_info)
            if length > limit:
                response = error_response(request, 413, f"The request body may hold at most {limit} bytes.")
                if response is None:
                    return too_large_response(limit)
                response["Connection"] = "close"  # as too_large_response: the body stays unread
                return response
        return self.get_response(request)
