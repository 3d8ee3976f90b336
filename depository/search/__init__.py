"""The depository's search, one part behind one entry point: `search(params, viewer) -> Results`.

Browse, the Atom feed, the briefing pack, curators' previews and any later API call `search()`;
nothing else reads the index. Inside (docs/search.md has the picture and the measurements):

- `text`: the query parsed in each language's configuration, ranking and highlights;
- `facet_index`: the facet rows (id arrays and bit strings): counts, matching, ranking candidates;
- `counts_cache`: the counts of a search without words and with at most one facet, kept per process
  until the index's generation changes;
- `facet_terms`: what each facet row is called on the page, kept per process the same way;
- `sql/search_v1.sql`: the upkeep of both indexes, and
  the change queue whose triggers keep them current at the commit of any write (ORM save,
  `QuerySet.update()`, `bulk_create`, raw SQL alike); `sql/search_v2.sql`: the one definition of
  the search document (migration 0028); `sql/search_v3.sql`: the index's generation, new with every
  write of the facet rows or their terms (migration 0032).

Visibility is the search's first filter: a public search starts from the published entries' row,
a curator's from every entry's; the listing query also keeps `Entry.objects.visible_to(viewer)`.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter

from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.http import QueryDict

from core.roles import is_organizer
from depository import facets
from depository.facets import FacetValue
from depository.filters import MAX_QUERY_LENGTH, EntryFilterSet, Sort
from depository.models import Entry
from depository.models.entries import NEWEST_WORK_FIRST
from depository.search import counts_cache, facet_index, facet_terms, facet_values, prepared, text

__all__ = ["MAX_QUERY_LENGTH", "PAGE_SIZE", "Results", "Sort", "choose_terms", "flush", "rebuild", "search"]

PAGE_SIZE = 20
# Past this page of a search sorted by relevance, the page asked for is this one.
MAX_RANKED_PAGE = 10_000
# A page of results walks the sort's index, keeping the entries whose bit is set, when that costs less
# than fetching every match by id and sorting them: the walk passes over about (start + page size) x
# entries / matches index entries (~0.2 us each: a bit test in an index-only scan), the fetch reads
# each match's row (~3.6 us) and sorts. The two cross where matches² ≈ WALK_FACTOR x (start + page
# size): measured at 100,000 entries (89,000 published), 232 matches took the same either way on page
# 1, and every Q2-like page of 528-1,978 matches was faster walked (year 1990, page 3: 7.2 to 4.3 ms;
# tag-37: 9.8 to 4.1 ms; in-process, issue 23). The walk's cost grows with the number of entries:
# with ten times as many, the factor would be ten times as large.
WALK_FACTOR = 3000
# A search ranks, beyond the page asked for, this many of the matches created last and as many of its
# title matches (every match when there are fewer): ranking reads the whole document of each.
RANK_WINDOW = 200
# Which words get a term row (depository.models.TermPosting) when they are chosen (choose_terms): in
# each language group, the TERMS_PER_LANGUAGE found in the most entries, among those found in at least
# TERM_MIN_ENTRIES. A word in fewer entries is matched through the GIN index in about a millisecond (it
# reads as many of the documents table's rows); 300 covers the 200 most frequent words of a language,
# as the benchmark's rotation asks (docs/performance.md), at 2 x 12.5 kB per row at 100,000 entries.
TERM_MIN_ENTRIES = 1000
TERMS_PER_LANGUAGE = 300


@dataclass
class Results:
    """What a search answers. `errors` (the FilterSet's) is set when the parameters were malformed:
    then nothing else is. `entries` is every match, lazily, in the order asked; `page` is the page of
    them asked for, with `headline` (HTML with <mark>) on each row when there was a text query."""

    filterset: EntryFilterSet
    errors: dict | None = None
    count: int = 0
    facets: list = field(default_factory=list)
    # What gives `entries` (a callable of no argument), called at its first use.
    entries_of: Callable[[], QuerySet] | None = field(default=None, repr=False)
    page: Page | None = None
    # With no match: the query's words that the visitor's language drops as too common ("the", "of").
    ignored_words: list = field(default_factory=list)

    @cached_property
    def entries(self) -> QuerySet | None:
        """Every match, lazily, in the order asked (None with `errors`)."""
        return self.entries_of() if self.entries_of else None

    @property
    def has_facet_filters(self) -> bool:
        return any(self.filterset.selected().values())

    @property
    def query_text(self) -> str:
        return self.filterset.search_text

    @property
    def url_without_facets(self) -> str:
        """This search without any facet filter (the query and the sort kept)."""
        return "?" + self.filterset.query_string(**dict.fromkeys([*facets.by_name(), "year_from", "year_to"]))

    @property
    def sort_order(self) -> str:  # a Sort value
        return self.filterset.sort_order

    @property
    def query_string(self) -> str:
        return self.filterset.query_string()

    @property
    def chips(self) -> list[dict]:
        return self.filterset.chips(self.facets)

    @property
    def unknown(self) -> list[tuple[str, str]]:
        """(facet label, value) of the chosen values that name nothing."""
        return [(item["facet"].label, value) for item in self.facets for value in item["unknown"]]


def search(
    params: QueryDict,
    viewer: User | AnonymousUser,
    *,
    page: int = 1,
    page_size: int | None = None,
    order: Sort | None = None,
    highlight: bool = True,
    cards: bool = True,
) -> Results:
    """Answer a query string (a QueryDict of the browse page's parameters: q, sort, the facets) for
    `viewer` (a User or AnonymousUser). `page` (1-based; out of range gives the last page) of
    `page_size` rows; `order` overrides the query's sort (a Sort value). The page's rows are as a
    result card shows them (EntryQuerySet.for_cards: their themes' ids in the same statement, named from
    the vocabulary this process keeps with the facets' terms: _name_themes), or
    with `cards=False` as other listings read them (for_listing: every short field, the themes
    prefetched). Two statements whatever the number of entries: the counts (with the ranking's
    candidates) and the page (plus, without cards, its themes). Without words and with at most one
    facet chosen, the counts may come from this process's memory (counts_cache): the first statement
    is then the index's generation read, and a stale value costs that read and the counts. The facet
    rows' names are kept in this process too (facet_terms): the first search after a write reads
    them again, one statement more. Returns
    Results (with `errors` and nothing else on bad input)."""
    page_size = page_size or PAGE_SIZE
    filterset = EntryFilterSet(params, queryset=Entry.objects.all())
    if not filterset.is_valid():
        return Results(filterset=filterset, errors=filterset.errors)
    base = facet_index.EVERYTHING if is_organizer(viewer) else facet_index.PUBLISHED
    query = text.normalize_query(filterset.search_text)
    matching_sql = text.matching_ids_sql(query) if query else None
    sort = order or filterset.sort_order
    ranked = bool(query) and sort == Sort.RELEVANCE
    page = max(1, min(int(page or 1), MAX_RANKED_PAGE))
    selected = filterset.selected()
    candidates = ranked_ids = None
    derived = {}  # what is computed from the counts alone, kept with them when they are kept
    if counts_cache.cacheable(selected, searched=bool(query)):
        # The same for every visitor of a kind until the index changes: kept per process (counts_cache).
        total, counted, derived = counts_cache.counts(selected, base)
    else:
        total, counted, candidates, ranked_ids = facet_index.count(
            selected,
            base,
            text.matching_sql(query) if query else None,
            titles_sql=text.matching_ids_sql(query, titles=True) if ranked else None,
            window=page_size * page + RANK_WINDOW,
            rank_sql=text.rank_sql(query) if ranked else None,
            top=page_size * page,
        )
    # The page shown: the one asked for, or the last (as Paginator.get_page gives it).
    start = (min(page, max(1, -(-total // page_size))) - 1) * page_size
    walk = not ranked and total * total >= WALK_FACTOR * (start + page_size)
    if ranked:
        # Only the candidates that can reach this page are ranked, passed as one array parameter.
        ids = RawSQL("%s::integer[]", [candidates])  # noqa: S611
    elif walk:
        # Many matches: walk the sort's index and keep the entries whose bit is set.
        matched = facet_index.matching_bits(selected, base, text.matching_sql(query) if query else None)
        ids = RawSQL(*matched)  # noqa: S611 (the code's own SQL)
    else:
        # Few: fetch them by id.
        ids = RawSQL(*facet_index.matching_ids(selected, base, matching_sql))  # noqa: S611 (the code's own SQL)
    condition = HasBit(ids, F("id")) if walk else IdEqualsAny(F("id"), ids)
    order = [*_ORDER[Sort.RELEVANCE if ranked else (sort if sort != Sort.RELEVANCE else Sort.NEWEST)], "pk"]

    def every_match():
        """Every match, lazily, in the order asked (Results.entries)."""
        found = Entry.objects.visible_to(viewer).for_listing().filter(condition)
        if ranked:
            # The candidates' documents by their key, joined, not every document hashed: the ORM's LEFT
            # JOIN to the one-to-one row read the whole documents table (~14 ms at 100,000 entries).
            found = text.with_rank(found.filter(IdEqualsAny(F("search_document__entry_id"), ids)), query)
        else:
            # The chosen values of facets that are columns (year, kind, evidence, language), said again as
            # column predicates: the walk then starts where the year begins (Facet.column_condition).
            found = found.filter(*_column_conditions(selected))
        return found.order_by(*order)

    # A page by relevance is fetched by id below: the ranked queryset (~1 ms of Python to build) is
    # built only if a caller asks for Results.entries.
    entries = None if ranked else every_match()
    paginator = Paginator(entries if entries is not None else Entry.objects.none().order_by("pk"), page_size)
    paginator.count = total  # known from the index: no COUNT(*) over the rows
    shown = paginator.get_page(page)  # its number gives `start` above
    rows = Entry.objects.visible_to(viewer)
    rows = rows.for_cards() if cards else rows.for_listing()
    if not total:
        pass  # the paginator's empty page: no statement
    elif walk:
        # The walk reads only the sort's keys and the id, all in the sort's index: an index-only scan,
        # no heap row read for each entry passed over (2,636 for page 3 of a tag at 100,000 entries:
        # 16 ms to 6.5 ms, issue 23). The page's 20 rows are then fetched by id, in the same statement.
        walked = entries.values("id")[start : start + page_size]
        shown.object_list = rows.filter(id__in=walked).order_by(*order)
    elif ranked:
        # The counting statement ranked the candidates: the page statement fetches this page's rows by id
        # (out of range, get_page gave the last page, which the `page_size * page` ranked ids cover).
        page_ids = ranked_ids[start : start + page_size]
        shown.object_list = (
            rows.filter(IdEqualsAny(F("id"), RawSQL("%s::integer[]", [page_ids])))  # noqa: S611
            .annotate(position=ArrayPosition(RawSQL("%s::integer[]", [page_ids]), F("id")))  # noqa: S611
            .order_by("position")
        )
    else:
        shown.object_list = rows.filter(condition, *_column_conditions(selected)).order_by(*order)[
            start : start + page_size
        ]
    if query and highlight:
        shown.object_list = text.with_headline(shown.object_list, query)
    if total and cards:
        # Its statement prepared: the same text for every value of a facet and page number. Not with
        # cards=False: the themes' prefetch lists the page's ids one placeholder each, a new text (and
        # a prepared statement) for every page size.
        public = base == facet_index.PUBLISHED
        shown.object_list = prepared.PreparedRows(shown.object_list, then=lambda rows: _name_themes(rows, public))
    return Results(
        filterset=filterset,
        count=total,
        facets=_kept_listing(filterset.chosen_facet_values(), counted, derived),
        entries_of=(lambda: entries) if entries is not None else every_match,
        page=shown,
        ignored_words=text.ignored_words(filterset.search_text) if query and not total else [],
    )


def _name_themes(rows, base_is_public):
    """Give each of a page's card rows (EntryQuerySet.for_cards: `theme_ids`) its `theme_labels`, the
    `[(name, language it is written in)]` of its themes in the order a card lists them, from the names
    this process keeps with the facets' terms (facet_terms.theme_names). A theme not among them (added
    since the counts were read) is left off the card."""
    names = facet_terms.theme_names(base_is_public)
    for row in rows:
        themes = sorted((names[theme_id] for theme_id in row.theme_ids if theme_id in names), key=itemgetter(2))
        row.theme_labels = [(name, written_in) for name, written_in, _ in themes]


def _column_conditions(selected):
    """The Q of each chosen facet whose values are a column of the entry (Facet.column_condition)."""
    declared = facets.by_name()
    conditions = (declared[name].column_condition(values) for name, values in selected.items() if values)
    return [condition for condition in conditions if condition is not None]


class IdEqualsAny(Func):
    """`id = ANY(array)`: the rows whose id is in a (small) integer array."""

    template = "%(expressions)s::integer[])"
    arg_joiner = " = ANY("
    output_field = BooleanField()


class ArrayPosition(Func):
    """`array_position(array, id)`: where an id stands in an integer array (the ranked page's order)."""

    function = "array_position"
    output_field = IntegerField()


class HasBit(Func):
    """`depository_has(bits, id)`: whether an entry's bit is set in a bit string (sql/search_v1.sql);
    filters rows as the sort's index yields them."""

    template = "depository_has(%(expressions)s::integer)"
    output_field = BooleanField()


_ORDER = {
    Sort.RELEVANCE: [F("rank").desc(), *NEWEST_WORK_FIRST],
    Sort.NEWEST: list(NEWEST_WORK_FIRST),
    Sort.YEAR: [F("year").desc(nulls_last=True), Lower("title")],
    Sort.TITLE: [Lower("title")],
}


def _kept_listing(chosen, counted, derived):
    """_listing(chosen, counted), kept in `derived` (counts_cache.counts's) under the values chosen: the
    same facet values for every page, sort and visitor of one selection until the index changes
    (~0.2 ms a page at 100,000 entries; the facet_values tag keeps each facet's HTML with it)."""
    key = ("listing", tuple((name, tuple(values)) for name, values in chosen.items() if values))
    listing = derived.get(key)
    if listing is None:
        listing = derived[key] = _listing(chosen, counted)
    return listing


def _listing(selected, counted):
    """Each facet with its values (FacetValue: counts, selection) in display order, and the chosen
    values that name nothing."""
    listing = []
    for facet in facets.registered():
        chosen = selected[facet.name]
        rows = {row[0]: row for row in counted[facet.name]}
        if hasattr(facet, "all_values"):
            for value, label in facet.all_values().items():
                rows[value] = (value, label, 0, rows.get(value, (value, "", 0, 0))[3])
        values = []
        for value, label, position, count in sorted(rows.values(), key=facet.sort_key):
            is_selected = value in chosen
            if count == 0 and not (facet.show_empty or is_selected):
                continue
            values.append(FacetValue(value, label or value, count, is_selected, facet.is_child(position)))
        if facet.limit:
            values = [v for i, v in enumerate(values) if i < facet.limit or v.selected]
        known = {item.value for item in values} | set(rows)
        unknown = [value for value in chosen if value not in known] if facet.show_empty else []
        listing.append({"facet": facet, "values": values, "unknown": unknown})
    return listing


def flush() -> int:
    """Bring the index up to date with this transaction's writes now, rather than at its commit (a
    transaction that reads its own writes, e.g. a test). Returns how many entries were reindexed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT depository_search_flush()")
        return cursor.fetchone()[0]


def rebuild(*, workers: int = 2, chunk: int = 2000) -> int:
    """Rewrite every search document and facet row from the entries (manage.py rebuild_search_index).
    Returns the number of entries. The term rows follow the documents that change, as at any flush;
    which words have one is `choose_terms()`'s business.

    Outside a transaction, `workers` connections share the work, each piece committed on its own:
    the facet rows and records in one transaction (depository_search_rebuild_facets, sql/
    search_v3_rebuild.sql), and the documents (to_tsvector over every text: most of the time) `chunk`
    entries a statement. The facet transaction goes first, beside the first chunks, so the two cores
    are busy to the end. Only what differs from the entries is written (no dead row for nothing):
    readers see the old documents and rows until each piece commits, and the facet rows all at once.
    Inside a transaction (a test, a caller's atomic block), everything runs on this connection."""
    facet_values.install(fill=False)  # the facet rows' terms as the registry declares them now
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM depository_entry")
        ids = cursor.fetchone()[0]
    if connection.in_atomic_block or workers < 2:
        with connection.cursor() as cursor:
            cursor.execute("SELECT depository_search_rebuild()")
        return len(ids)

    statements = [("SELECT depository_search_rebuild_facets()", [])]
    statements += [
        ("SELECT depository_search_rebuild_documents(%s)", [ids[start : start + chunk]])
        for start in range(0, len(ids), chunk)
    ]
    pending = iter(statements)
    taking = threading.Lock()
    failed = threading.Event()

    def work():
        # One connection per worker for all its statements: a new one per chunk connected (~11 ms, median
        # of 30 at load 4) and planned the chunk's statements again, 50 times at 100,000 entries.
        try:
            while not failed.is_set():
                with taking:
                    statement = next(pending, None)
                if statement is None:
                    return
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(*statement)
        except BaseException:
            failed.set()  # the other workers take nothing more
            raise
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done in [pool.submit(work) for _ in range(workers)]:
            done.result()
    return len(ids)


def choose_terms(*, min_entries: int = TERM_MIN_ENTRIES, per_language: int = TERMS_PER_LANGUAGE) -> int:
    """Choose again which words have a term row (depository.models.TermPosting) and write the rows
    from the documents (manage.py choose_search_terms): in each language group the `per_language`
    words found in the most entries, among those in at least `min_entries`. Returns the number of rows.
    One transaction; ~30 s at 100,000 entries (docs/search.md), so run after a large import or on a
    schedule, not at each write: between runs the rows follow every change by difference."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT depository_search_rebuild_terms(%s, %s)", [min_entries, per_language])
        return cursor.fetchone()[0]
