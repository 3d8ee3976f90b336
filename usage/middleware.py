"""Counts views of entry pages and downloads of entry files (usage/counting.py), after the view
answered: only successful GETs of the public entry page and file URLs count."""

from usage.counting import record_hit
from usage.models import UsageKind

COUNTED_VIEWS = {"depository:entry": UsageKind.VIEW, "depository:attachment": UsageKind.DOWNLOAD}


class UsageCountingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if request.method == "GET" and response.status_code == 200 and match is not None:
            kind = COUNTED_VIEWS.get(match.view_name)
            if kind is not None:
                record_hit(request, entry_slug=match.kwargs["slug"], kind=kind)
        return response
