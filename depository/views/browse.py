"""GET /depository/: faceted browsing and full-text search."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from depository import search


@require_safe
# The same URL answers the whole page or, to htmx, only the results: a cache must key on the header.
@vary_on_headers("HX-Request")
def browse(request):
    results = search.search(request.GET, request.user, page=_page_number(request))
    template = "depository/browse.html#results" if request.headers.get("HX-Request") else "depository/browse.html"
    context = {
        "filterset": results.filterset,
        "pack_max_bytes": settings.BRIEFING_PACK_MAX_BYTES,
        "search_max_length": search.MAX_QUERY_LENGTH,
    }
    if results.errors:
        # Malformed input: say what was not understood, show nothing, never a 500.
        return render(request, template, {**context, "errors": results.errors}, status=400)
    context.update(
        {
            "page": results.page,
            "facets": results.facets,
            "chips": results.chips,
            "unknown": results.unknown,
            "query_string": results.query_string,
            "sort_order": results.sort_order,
            "results": results,
        }
    )
    return render(request, template, context)


def _page_number(request):
    asked = request.GET.get("page", "")
    return int(asked) if asked.isdigit() and len(asked) < 8 else 1
