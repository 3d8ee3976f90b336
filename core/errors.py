"""The project's error handlers (handler400/403/404/500 in twg_portal/urls.py): the protocol's own
error where the path speaks one (core/protocols.py), Django's HTML pages everywhere else."""

from django.core.exceptions import BadRequest, TooManyFieldsSent, TooManyFilesSent
from django.views import defaults

from core.protocols import error_response

# Refusals whose message tells a client what to change (they hold no request data); any other
# exception's text (a DisallowedHost echoes the header) is not shown.
TOLD_400 = (BadRequest, TooManyFieldsSent, TooManyFilesSent)


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    message = str(exception) if isinstance(exception, TOLD_400) and str(exception) else "Bad request."
    return error_response(request, 400, message) or defaults.bad_request(request, exception, template_name)


def permission_denied(request, exception, template_name=defaults.ERROR_403_TEMPLATE_NAME):
    return error_response(request, 403, "Forbidden.") or defaults.permission_denied(request, exception, template_name)


def page_not_found(request, exception, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    return error_response(request, 404, "Not Found") or defaults.page_not_found(request, exception, template_name)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    return error_response(request, 500, "Server error.") or defaults.server_error(request, template_name)
