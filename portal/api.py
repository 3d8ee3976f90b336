"""The read-only JSON API at /api/ (django-ninja; the OpenAPI 3 document is /api/openapi.json).

Everything here is what an anonymous visitor of the site may see: published entries, public files,
names as disclosure levels allow (depository/interop.py). Each response carries an ETag (and the
entries their Last-Modified) and answers a matching conditional GET with 304; every client address
is throttled (settings.API_THROTTLE_RATE). Bad parameters get 400 with a `detail` saying why.
"""

import threading
from datetime import date, datetime
from typing import Any, Literal, NamedTuple

from django.conf import settings
from django.core.validators import slug_re
from django.db.models import Max, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import conditional_page
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import ValidationError
from ninja.throttling import BaseThrottle

from core import ratelimits
from core.auth_backends import client_ip_address
from depository import citations, interop, search
from depository.citations.base import iso_date
from depository.models import Attachment, CityType, Entry, EntryKind, GlossaryTerm, Theme, ViolenceType
from depository.search import MAX_RANKED_PAGE
from meetings.models import Meeting


class ClientThrottle(BaseThrottle):
    """Requests per client address, the address as the login lockout reads it (REMOTE_ADDR, or the
    trusted proxy's X-Forwarded-For entry: settings.TRUSTED_PROXY_COUNT). Counted in a table
    (core/ratelimits.py), not in the cache as django-ninja's own throttles do: the database cache culls
    a third of its rows when full, which reset every client's count (issue 22, finding 1)."""

    def __init__(self, rate):
        self.rate = ratelimits.parse_rate(rate)
        # django-ninja asks wait() right after a refusal, on this object that every thread shares.
        self._last = threading.local()

    def allow_request(self, request):
        counted = ratelimits.hit("api", client_ip_address(request), self.rate)
        self._last.retry_after = counted.retry_after
        return not counted.limited

    def wait(self):
        return getattr(self._last, "retry_after", None)


api = NinjaAPI(
    title="TWG Portal API",
    version="1",
    description="Read-only access to the TWG depository: entries (with the browse page's filters, "
    "search and facet counts), meetings, the glossary and the typology's vocabularies.",
    urls_namespace="api",
    docs_url=None,
    throttle=[ClientThrottle(settings.API_THROTTLE_RATE)],
)


# -- errors ----------------------------------------------------------------------------------------
class Problem(Schema):
    detail: str


@api.exception_handler(ValidationError)
def bad_parameters(request, exc):
    """Parameters that do not parse are the client's mistake: 400, saying which and why."""
    problems = "; ".join(
        f"{'.'.join(str(part) for part in error['loc'][1:]) or 'request'}: {error['msg']}" for error in exc.errors
    )
    return api.create_response(request, {"detail": problems}, status=400)


ERRORS = {400: Problem, 429: Problem}


def protocol_error(request, status, message):
    """The API's error shape, {"detail": message} with `status`, for a request refused outside the
    API's views (core/protocols.py: a NUL character, too many parameters, an unknown path under /api/,
    a body over its limit, a database outage, a server error). Touches neither database nor session."""
    response = api.create_response(request, {"detail": message}, status=status)
    response["Cache-Control"] = "no-store"
    return response


# -- shapes ----------------------------------------------------------------------------------------
class Term(Schema):
    slug: str
    name: str


class ThemeTerm(Term):
    parent: str | None


class Choice(Schema):
    value: str
    label: str


class Creator(Schema):
    name: str
    family: str
    given: str
    kind: Literal["person", "organization"]


class IdentifierOut(Schema):
    scheme: Literal["doi", "isbn", "issn", "report-number", "url"]
    value: str
    uri: str


class EntrySummary(Schema):
    slug: str
    title: str
    kind: str
    language: str
    year: int | None
    summary: str
    creators: list[Creator]
    themes: list[Term]
    published_at: datetime
    updated_at: datetime
    url: str
    page_url: str


class FileOut(Schema):
    name: str
    content_type: str
    size: int
    pages: int | None
    url: str


class MeetingOut(Schema):
    slug: str
    name: str
    number: int | None
    status: str
    start_date: date | None
    end_date: date | None
    timing_note: str
    city: str | None
    page_url: str


class EntryDetail(EntrySummary):
    item_type: str = Field(description="The work's CSL item type (article-journal, book, chapter, report ...).")
    container_title: str
    volume: str
    issue: str
    page: str
    publisher: str
    publisher_place: str
    date_issued: str = Field(description="The date issued at its precision: 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'.")
    abstract: str
    csl: dict[str, Any] = Field(
        description="The whole bibliographic record as a CSL-JSON item (https://citationstyles.org, csl-data.json), "
        "what the cite.json download holds."
    )
    external_url: str
    annotation: str
    body: str
    identifiers: list[IdentifierOut]
    city_types: list[Term]
    violence_types: list[Term]
    cities: list[Term]
    tags: list[str]
    files: list[FileOut]
    meetings: list[MeetingOut]


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class FacetOut(Schema):
    name: str
    label: str
    values: list[FacetValueOut]


class EntryPage(Schema):
    count: int
    page: int
    limit: int
    results: list[EntrySummary]
    facets: list[FacetOut]


class GlossaryEntry(Schema):
    slug: str
    term: str
    definition: str
    usage_notes: str


class Vocabularies(Schema):
    themes: list[ThemeTerm]
    city_types: list[Term]
    violence_types: list[Term]
    kinds: list[Choice]


class EntryQuery(Schema):
    """The browse page's query string (depository/filters.py), plus the page and its size."""

    q: str | None = None
    sort: Literal["relevance", "newest", "year", "title"] | None = None
    theme: list[str] = []
    city_type: list[str] = []
    violence_type: list[str] = []
    kind: list[str] = []
    evidence: list[str] = []
    language: list[str] = []
    year: list[str] = []
    year_from: int | None = None
    year_to: int | None = None
    country: list[str] = []
    city: list[str] = []
    tag: list[str] = []


# -- the search ------------------------------------------------------------------------------------
class Results(NamedTuple):
    count: int
    entries: list
    facets: list


class SearchError(Exception):
    def __init__(self, errors):
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))


def _search(params, viewer):
    """Results(count, entries, facets) of the browse page's query string `params` (a QueryDict with
    `page` and `limit`) for `viewer` (a people.privacy.Viewer), from the depository's one search
    (depository.search.search).

    Raises SearchError (a message) when the search refuses the parameters."""
    page, limit = int(params.get("page", 1)), int(params.get("limit", 20))
    results = search.search(params, viewer.user, page=page, page_size=limit, highlight=False, cards=False)
    if results.errors:
        raise SearchError(results.errors)
    entries = list(results.page.object_list) if (page - 1) * limit < results.count else []
    return Results(count=results.count, entries=entries, facets=results.facets)


# -- serialisation ---------------------------------------------------------------------------------
def _terms(terms):
    return [{"slug": term.slug, "name": term.translated_name} for term in terms]


def _summary(entry, creators):
    return {
        "slug": entry.slug,
        "title": entry.translated_title,
        "kind": entry.kind,
        "language": entry.language,
        "year": entry.year,
        "summary": entry.translated_summary,
        "creators": [vars(creator) for creator in creators],
        "themes": _terms(entry.themes.all()),
        "published_at": entry.published_at,
        "updated_at": entry.updated_at,
        "url": interop.absolute_url(reverse("api:entry", kwargs={"slug": entry.slug})),
        "page_url": interop.absolute_url(entry.get_absolute_url()),
    }


def _meeting(meeting):
    return {
        "slug": meeting.slug,
        "name": meeting.name,
        "number": meeting.number,
        "status": meeting.status,
        "start_date": meeting.start_date,
        "end_date": meeting.end_date,
        "timing_note": meeting.timing_note,
        "city": meeting.city.name if meeting.city else None,
        "page_url": interop.absolute_url(meeting.get_absolute_url()),
    }


def _last_modified(response, moment):
    if moment:
        response["Last-Modified"] = http_date(moment.timestamp())


# -- the operations --------------------------------------------------------------------------------
class Index(Schema):
    openapi: str
    entries: str
    meetings: str
    glossary: str
    vocabularies: str
    oai_pmh: str


@api.get("/", response={200: Index, **ERRORS}, url_name="index", tags=["index"])
@decorate_view(conditional_page)
def index(request: HttpRequest):
    """Where things are: the OpenAPI document, each collection, and the OAI-PMH endpoint."""
    names = ["openapi-json", "entries", "meetings", "glossary", "vocabularies"]
    links = {name.removesuffix("-json"): interop.absolute_url(reverse(f"api:{name}")) for name in names}
    return links | {"oai_pmh": interop.absolute_url(reverse("oai"))}


@api.get("/entries", response={200: EntryPage, **ERRORS}, url_name="entries", tags=["entries"])
@decorate_view(conditional_page)
def list_entries(
    request: HttpRequest,
    response: HttpResponse,
    query: Query[EntryQuery],
    page: Query[int] = 1,
    limit: Query[int] = 20,
):
    """Published entries matching the browse page's filters and search, a page at a time, with the
    facet counts of the whole result. Facet parameters repeat (`?theme=a&theme=b`)."""
    if not 1 <= page <= MAX_RANKED_PAGE:
        return Status(400, {"detail": f"page: must be between 1 and {MAX_RANKED_PAGE}."})
    if not 1 <= limit <= settings.API_PAGE_SIZE_MAX:
        return Status(400, {"detail": f"limit: must be between 1 and {settings.API_PAGE_SIZE_MAX}."})
    params = QueryDict(mutable=True)
    params.update(request.GET)
    params.setlist("page", [str(page)])
    params.setlist("limit", [str(limit)])
    try:
        results = _search(params, interop.public_viewer())
    except SearchError as problem:
        return Status(400, {"detail": str(problem)})
    creators = interop.creators(results.entries, interop.public_viewer())
    _last_modified(response, Entry.objects.filter(published_at__isnull=False).aggregate(last=Max("updated_at"))["last"])
    return {
        "count": results.count,
        "page": page,
        "limit": limit,
        "results": [_summary(entry, creators[entry.pk]) for entry in results.entries],
        "facets": [
            {
                "name": item["facet"].name,
                "label": str(item["facet"].label),
                "values": [vars(value) | {"label": str(value.label)} for value in item["values"]],
            }
            for item in results.facets
        ],
    }


@api.get("/entries/{slug}", response={200: EntryDetail, 404: Problem, **ERRORS}, url_name="entry", tags=["entries"])
@decorate_view(conditional_page)
def get_entry(request: HttpRequest, response: HttpResponse, slug: str):
    """One published entry with its creators, identifiers, public files and meetings."""
    if not slug_re.match(slug):
        # Not a slug, so no entry; and PostgreSQL refuses some characters (NUL) outright.
        raise Http404
    public_files = Attachment.objects.filter(is_public=True).order_by("uploaded_at", "pk")
    entry = get_object_or_404(
        Entry.objects.published().prefetch_related(
            "themes",
            "city_types",
            "violence_types",
            "cities",
            "tags",
            Prefetch("attachments", queryset=public_files.defer("extracted_text", "extraction_error")),
            Prefetch("reported_meetings", queryset=Meeting.objects.select_related("city")),
            Prefetch("meetings", queryset=Meeting.objects.select_related("city")),
        ),
        slug=slug,
    )
    creators = interop.creators([entry], interop.public_viewer())[entry.pk]
    meetings = {meeting.pk: meeting for meeting in [*entry.reported_meetings.all(), *entry.meetings.all()]}
    _last_modified(response, entry.updated_at)
    files = [
        {
            "name": attachment.original_name or attachment.file.name.rsplit("/", 1)[-1],
            "content_type": attachment.content_type,
            "size": attachment.size,
            "pages": attachment.page_count,
            "url": interop.absolute_url(
                reverse("depository:attachment", kwargs={"slug": entry.slug, "pk": attachment.pk})
            ),
        }
        for attachment in entry.attachments.all()
    ]
    page_url = interop.absolute_url(entry.get_absolute_url())
    item = citations.csl_json_item(citations.csl_item(entry, interop.public_viewer(), url=page_url))
    return _summary(entry, creators) | {
        "item_type": item["type"],
        "container_title": entry.container_title,
        "volume": entry.volume,
        "issue": entry.issue,
        "page": entry.page,
        "publisher": entry.publisher,
        "publisher_place": entry.publisher_place,
        "date_issued": iso_date(item["issued"]) if item.get("issued") else "",
        "abstract": entry.abstract,
        "csl": item,
        "external_url": entry.external_url,
        "annotation": entry.annotation,
        "body": entry.body,
        "identifiers": [vars(identifier) | {"uri": identifier.uri} for identifier in interop.identifiers(entry)],
        "city_types": _terms(entry.city_types.all()),
        "violence_types": _terms(entry.violence_types.all()),
        "cities": [{"slug": city.slug, "name": city.name} for city in entry.cities.all()],
        "tags": sorted(tag.name for tag in entry.tags.all()),
        "files": files,
        "meetings": [_meeting(meeting) for meeting in meetings.values()],
    }


@api.get("/meetings", response={200: list[MeetingOut], **ERRORS}, url_name="meetings", tags=["meetings"])
@decorate_view(conditional_page)
def list_meetings(request: HttpRequest):
    """The TWG's meetings, newest first (undated proposals first), as the meetings page lists them."""
    return [_meeting(meeting) for meeting in Meeting.objects.listed(timezone.localdate())]


@api.get("/glossary", response={200: list[GlossaryEntry], **ERRORS}, url_name="glossary", tags=["glossary"])
@decorate_view(conditional_page)
def list_glossary(request: HttpRequest):
    """The glossary's terms in the active language (Accept-Language), in the glossary's order."""
    return [
        {
            "slug": term.slug,
            "term": term.translated_term,
            "definition": term.translated_definition,
            "usage_notes": term.translated_usage_notes,
        }
        for term in GlossaryTerm.objects.all()
    ]


@api.get("/vocabularies", response={200: Vocabularies, **ERRORS}, url_name="vocabularies", tags=["vocabularies"])
@decorate_view(conditional_page)
def vocabularies(request: HttpRequest):
    """The typology's controlled vocabularies (themes with their parent, city types, violence types)
    and the kinds of entry: the values the entries' filters take."""
    return {
        "themes": [
            _terms([theme])[0] | {"parent": theme.parent.slug if theme.parent else None}
            for theme in Theme.objects.select_related("parent")
        ],
        "city_types": _terms(CityType.objects.all()),
        "violence_types": _terms(ViolenceType.objects.all()),
        "kinds": [{"value": value, "label": str(label)} for value, label in EntryKind.choices],
    }
