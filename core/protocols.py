"""Errors answered in the protocol of the path, wherever they arise (issue 22, finding 6).

A harvester of /oai/ reads OAI-PMH XML and a client of /api/ reads the API's JSON, also when the
request is refused before any view runs: a NUL character (core.middleware), too many parameters
(Django's DATA_UPLOAD_MAX_NUMBER_FIELDS), a body over its limit (core.body_limits), an unknown path,
a database outage, a server error. The apps that own a protocol register a renderer for their path
prefix (in their AppConfig.ready, since core imports no app); the project's error handlers
(core/errors.py) and core's middleware ask `error_response` first and fall back to the HTML pages.
"""

_RENDERERS = {}


def register(prefix, renderer):
    """Answer errors under `prefix` (a path such as "/api/") with `renderer(request, status,
    message)`, which returns an HttpResponse, or None for a status it leaves to the HTML pages."""
    _RENDERERS[prefix] = renderer


def error_response(request, status, message):
    """The protocol's answer to an error `status` (an HTTP status code) of `request`, with
    `message` (plain text, for a client); None when the path speaks no registered protocol.

    It must not touch the database or the session: it also answers a database outage."""
    path = request.path_info
    for prefix, renderer in _RENDERERS.items():
        if path.startswith(prefix):
            return renderer(request, status, message)
    return None
