"""GET or POST /oai/?verb=...: the OAI-PMH 2.0 endpoint (depository/oai/repository.py answers)."""

import re

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from oaipmh import error

from depository.oai.repository import server, xml_safe

# The protocol's verbs; the library also answers an unofficial GetMetadata, which harvesters never send.
VERBS = {"Identify", "ListMetadataFormats", "ListSets", "ListIdentifiers", "ListRecords", "GetRecord"}
# OAI-PMH 2.0 section 3.3.1: a datestamp is YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, nothing else. The
# library reads "20-1-1" as the year 20 and "...ss.sssZ" as seconds, so the form is checked here.
DATESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?", re.ASCII)


def error_body(problem):
    """The OAI-PMH response (UTF-8 XML bytes) reporting `problem`, an oaipmh.error.ErrorBase."""
    return server().handleException({}, (type(problem), problem, None))


def protocol_error(request, status, message):
    """badArgument in OAI-PMH XML for a request refused before the endpoint (core/protocols.py: a
    NUL character, too many arguments), with HTTP 200 like every OAI-PMH error (section 3.6: the
    protocol's errors are not HTTP statuses). Other statuses (a path that is not the endpoint, 413,
    503 with Retry-After, which harvesters honour) stay HTTP's own pages."""
    if status != 400:
        return None
    return HttpResponse(error_body(error.BadArgumentError(xml_safe(message))), content_type="text/xml; charset=utf-8")


def bad_datestamp(arguments):
    """badArgument for a `from` or `until` that is not a datestamp of section 3.3.1; None if both are."""
    for name in ("from", "until"):
        value = arguments.get(name)
        if value is not None and not DATESTAMP.fullmatch(value):
            return error.BadArgumentError(
                f"The {name} argument must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, not {xml_safe(value)}."
            )
    return None


# The protocol lets harvesters POST their arguments (OAI-PMH 3.1.1.2); nothing is written, so no CSRF.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    """The OAI-PMH response to the request's arguments, always 200 with text/xml (errors are in the XML)."""
    arguments = request.POST if request.method == "POST" else request.GET
    repeated = [name for name, values in arguments.lists() if len(values) > 1]
    if repeated:
        body = error_body(
            error.BadVerbError("The verb argument is repeated.")
            if "verb" in repeated
            else error.BadArgumentError(f"Repeated argument: {xml_safe(repeated[0])}")
        )
    elif arguments.get("verb") not in VERBS and "verb" in arguments:
        body = error_body(error.BadVerbError(f"Illegal verb: {xml_safe(arguments['verb'])}"))
    elif problem := bad_datestamp(arguments):
        body = error_body(problem)
    else:
        # Control characters cannot be written back in the response's <request> element.
        body = server().handleRequest({xml_safe(name): xml_safe(value) for name, value in arguments.items()})
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
