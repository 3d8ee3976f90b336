"""The portal's middleware: answer 503 at once when the database cannot be reached (instead of a 500
error page), refuse NUL characters, and choose the language of an address with or without its prefix."""

import logging

from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.middleware import locale as django_locale
from django.template import loader
from django.utils import translation

from core.protocols import error_response

logger = logging.getLogger(__name__)

# Errors of the connection, not of the query: the server is down, restarting, refusing connections
# or dropped the one we had. A browser or a load balancer should try again shortly.
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_unavailable_response():
    """The 503 page. It is rendered without the request, so that nothing in it (the session, the
    user, the messages) reaches for the database that has just failed."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            return None
        logger.warning("Database unavailable while serving %s: %s", request.path, str(exception).strip())
        response = error_response(request, 503, "The database is unavailable; try again shortly.")
        if response is None:
            return database_unavailable_response()
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class RejectNullCharactersMiddleware:
    """400 for a query string holding a NUL character (`%00`). PostgreSQL refuses NUL in text, and
    psycopg2 raises ValueError when such a value reaches a query unvalidated (the admin's list filters
    and autocomplete pass query parameters straight to the ORM), which would be a 500. Forms already
    refuse NUL in their fields (Django's ProhibitNullCharactersValidator). The 400 is the error
    handlers' (core/errors.py): OAI-PMH's badArgument under /oai/, the API's JSON under /api/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            raise BadRequest("NUL character in the query string.")
        return self.get_response(request)


class LocaleMiddleware(django_locale.LocaleMiddleware):
    """Django's LocaleMiddleware, except that an address without a language prefix keeps choosing the
    language as before the prefixes existed (the cookie the switcher sets, then Accept-Language),
    instead of always English: with the prefixes (core/language_urls.py) Django's own would answer
    every unprefixed address in English, and a reader whose browser asks for Arabic would lose
    Arabic at `/`. A prefixed address (`/ar/depository/`) is always in its language (issue 22)."""

    def process_request(self, request):
        language = translation.get_language_from_request(request, check_path=True)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def forget_request_language(**kwargs):
    """On request_finished (once the response is sent, streamed content too): the thread's language
    back to the default. Addresses are reversed in the active language (`/ar/...`), and a language
    left active by the last request would prefix the addresses a thread builds afterwards."""
    translation.deactivate()
