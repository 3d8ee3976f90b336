"""GET /depository/: faceted browsing and full-text search."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from depository import filters, search
from depository.filters import EntryFilterSet
from depository.models import Entry, is_curator

PAGE_SIZE = 20
# Past this page of a search sorted by relevance, every match is ranked.
MAX_RANKED_PAGE = 10_000


def filter_entries(request):
    """The FilterSet of the request's query string over the entries this user may see."""
    # Everyone but curators sees the published entries only, which the facet index answers for.
    public = not is_curator(request.user)
    queryset = Entry.objects.visible_to(request.user).for_listing()
    return EntryFilterSet(request.GET, queryset=queryset, public=public)


@require_safe
def browse(request):
    filterset = filter_entries(request)
    template = "depository/browse.html#results" if request.headers.get("HX-Request") else "depository/browse.html"
    context = {
        "filterset": filterset,
        "pack_max_bytes": settings.BRIEFING_PACK_MAX_BYTES,
        "search_max_length": search.MAX_QUERY_LENGTH,
    }
    if not filterset.is_valid():
        # Malformed input: say what was not understood, show nothing, never a 500.
        return render(request, template, {**context, "errors": filterset.errors}, status=400)
    # First the facets: from the facet index they come with the number of results (one query).
    asked = request.GET.get("page")
    asked = min(int(asked), MAX_RANKED_PAGE) if asked and asked.isdigit() else 1
    filterset.rank_window = PAGE_SIZE * asked + filters.RANK_WINDOW
    facets = filterset.facets()
    paginator = Paginator(filterset.qs, PAGE_SIZE)
    if filterset.total is not None:
        paginator.count = filterset.total
    page = paginator.get_page(request.GET.get("page"))
    if filterset.search_text:
        # Highlighted snippets for this page's rows only: they are costly.
        page.object_list = search.with_headline(page.object_list, filterset.search_text)
    context.update(
        {
            "page": page,
            "facets": facets,
            "chips": filterset.chips(facets),
            "unknown": [(item["facet"].label, value) for item in facets for value in item["unknown"]],
            "query_string": filterset.query_string(),
            "sort_order": filterset.sort_order,
        }
    )
    return render(request, template, context)
