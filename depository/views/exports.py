"""Downloads: an entry's citation and the literature review in each export format (depository.exports),
the briefing pack."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from depository import citations, exports, packs, search
from depository.creators import viewer_of
from depository.models import Entry
from depository.views.entry import get_entry_for_user


def page_url_builder(request):
    return lambda entry: request.build_absolute_uri(entry.get_absolute_url())


def export_response(entries, export, filename, request):
    """The entries as a download in `export` (an ExportFormat), named `filename`.<its extension>."""
    response = HttpResponse(
        export.write(entries, viewer_of(request), page_url_builder(request)), content_type=export.media_type
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export.extension}"'
    return response


@require_safe
def entry_citation(request, slug, fmt):
    """GET /depository/<slug>/cite.<extension>: the entry in a format offered on its page."""
    export = exports.by_extension().get(fmt)
    if export is None or not export.on_entry_page:
        raise Http404("Unknown citation format.")
    entry = get_entry_for_user(request.user, slug, citations.with_citation_data(Entry.objects.all()))
    return export_response([entry], export, entry.slug, request)


@require_safe
def literature_export(request, fmt):
    """The whole annotated literature review in any export format (RIS, BibTeX, CSL-JSON, CSV)."""
    export = exports.by_extension().get(fmt)
    if export is None:
        raise Http404("Unknown export format.")
    entries = packs.for_export(Entry.objects.published().literature().order_by("title", "pk"))
    return export_response(entries, export, "twg-literature", request)


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
