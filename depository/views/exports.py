"""Downloads: an entry's citation (RIS, BibTeX, CSL-JSON), the literature review, the briefing pack."""

import io

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from depository import citations, packs, search
from depository.creators import viewer_of
from depository.models import Entry
from depository.views.entry import get_entry_for_user

CITATION_FORMATS = {
    # format: (writer, content type)
    "ris": (citations.to_ris, "application/x-research-info-systems; charset=utf-8"),
    "bib": (citations.to_bibtex, "application/x-bibtex; charset=utf-8"),
    "json": (citations.to_csl_json, "application/vnd.citationstyles.csl+json; charset=utf-8"),
}


def page_url_builder(request):
    return lambda entry: request.build_absolute_uri(entry.get_absolute_url())


def citation_response(entries, fmt, filename, request):
    writer, content_type = CITATION_FORMATS[fmt]
    response = HttpResponse(writer(entries, viewer_of(request), page_url_builder(request)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@require_safe
def entry_citation(request, slug, fmt):
    if fmt not in CITATION_FORMATS:
        raise Http404("Unknown citation format.")
    entry = get_entry_for_user(request.user, slug, citations.with_citation_data(Entry.objects.all()))
    return citation_response([entry], fmt, entry.slug, request)


@require_safe
def literature_export(request, fmt):
    """The whole annotated literature review as RIS, BibTeX or CSV."""
    entries = packs.for_export(Entry.objects.published().literature().order_by("title", "pk"))
    if fmt == "csv":
        text = io.StringIO()
        packs.write_csv(entries, text, page_url_builder(request), viewer_of(request))
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="twg-literature.csv"'
        return response
    if fmt not in CITATION_FORMATS:
        raise Http404("Unknown export format.")
    return citation_response(entries, fmt, "twg-literature", request)


@require_safe
def briefing_pack(request):
    """GET /depository/pack.zip?<the browse page's filters>: the filtered entries, offline."""
    results = search.search(request.GET, request.user, order=search.Sort.TITLE, highlight=False)
    if results.errors:
        return render(request, "depository/pack_refused.html", {"errors": results.errors}, status=400)
    entries = results.entries
    size = packs.pack_size(entries)
    limit = settings.BRIEFING_PACK_MAX_BYTES
    if size > limit:
        context = {"size": size, "limit": limit, "browse_query": results.query_string}
        return render(request, "depository/pack_refused.html", context, status=413)
    archive = packs.build_briefing_pack(entries, page_url_builder(request), viewer_of(request))
    return FileResponse(archive, as_attachment=True, filename="twg-briefing-pack.zip", content_type="application/zip")
