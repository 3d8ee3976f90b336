"""GET or POST /oai/?verb=...: the OAI-PMH 2.0 endpoint (depository/oai/repository.py answers)."""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from oaipmh import error

from depository.oai.repository import server, xml_safe

# The protocol's verbs; the library also answers an unofficial GetMetadata, which harvesters never send.
VERBS = {"Identify", "ListMetadataFormats", "ListSets", "ListIdentifiers", "ListRecords", "GetRecord"}


# The protocol lets harvesters POST their arguments (OAI-PMH 3.1.1.2); nothing is written, so no CSRF.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    """The OAI-PMH response to the request's arguments, always 200 with text/xml (errors are in the XML)."""
    arguments = request.POST if request.method == "POST" else request.GET
    oai = server()
    repeated = [name for name, values in arguments.lists() if len(values) > 1]
    if repeated:
        problem = (
            error.BadVerbError("The verb argument is repeated.")
            if "verb" in repeated
            else error.BadArgumentError(f"Repeated argument: {xml_safe(repeated[0])}")
        )
        body = oai.handleException({}, (type(problem), problem, None))
    elif arguments.get("verb") not in VERBS and "verb" in arguments:
        problem = error.BadVerbError(f"Illegal verb: {xml_safe(arguments['verb'])}")
        body = oai.handleException({}, (type(problem), problem, None))
    else:
        # Control characters cannot be written back in the response's <request> element.
        body = oai.handleRequest({xml_safe(name): xml_safe(value) for name, value in arguments.items()})
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
