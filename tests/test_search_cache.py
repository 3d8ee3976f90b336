"""The browse page's counts kept per process until the index's generation changes (issue 23;
depository/search/counts_cache.py, sql/search_v3.sql, docs/search.md "The counts' cache").

Through the browse view on the real PostgreSQL database. Each page's queries are named from their
SQL: `counts` (the counting statement: prepared as twg_search_<hash>, or with bit_count when not),
`generation` (the index's generation read alone), `terms` (the facet rows' terms read again after a
write: depository/search/facet_terms.py) and `other` (the page of entries, with their themes' names:
EntryQuerySet.for_cards).
The test client flushes the index before each request, where a commit would (tests/conftest.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from depository import search
from depository.models import Entry, SearchGeneration, Theme
from depository.search import counts_cache, facet_index, facet_terms
from tests.depository_helpers import make_entry, theme
from tests.test_search_index import brute_force, facet_keys_by_entry, shown_counts

BROWSE = reverse("depository:browse")
# A page whose counts are kept, from cold: the counting statement (with the generation as one more
# row), the page of entries with their themes.
COLD = ["counts", "other"]
# Kept and current: the generation's one-row read instead of the counting statement.
HIT = ["generation", "other"]
# Kept but the index changed since: the generation's read, then the counting statement, and the facet
# rows' terms read again (this process kept them at the generation before).
STALE = ["generation", "counts", "terms", "other"]


def kind(sql):
    if "twg_search_" in sql or "bit_count(" in sql:
        return "counts"
    if "SELECT '=" in sql:
        return "terms"
    return "generation" if "depository_searchgeneration" in sql else "other"


def visit(client, query=""):
    """(the queries' kinds, what the page shows: the total and {(facet, value): (label, count)})."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BROWSE + query)
    assert response.status_code == 200
    results = response.context["results"]
    listing = {
        (item["facet"].name, value.value): (value.label, value.count)
        for item in results.facets
        for value in item["values"]
    }
    return [kind(query["sql"]) for query in queries.captured_queries], (results.count, listing)


@pytest.fixture
def entries(db):
    make_entry("Street lighting audit", themes=["lighting"], violence_types=["organized"])
    make_entry("Youth mentoring", themes=["youth"], violence_types=["organized"], kind="guidance")
    make_entry("Draft on lighting", themes=["lighting"], status="draft")


@pytest.mark.parametrize("query", ["", "?sort=title&page=1", "?theme=lighting", "?theme=lighting&theme=youth"])
def test_a_second_identical_request_runs_no_counting_statement(client, entries, query):
    queries, first = visit(client, query)
    assert queries == COLD
    queries, second = visit(client, query)
    assert queries == HIT and second == first


def test_the_sorts_and_pages_of_one_selection_share_its_counts(client, entries):
    assert visit(client)[0] == COLD
    for query in ["?sort=title", "?sort=year&page=2", "?page=1"]:
        assert visit(client, query)[0] == HIT


def test_the_facet_listing_and_its_html_are_kept_with_the_counts_until_the_index_changes(client, entries):
    """search._kept_listing: the pages and sorts of one selection share one facet listing (and the
    facet_values tag's HTML kept in it) while the counts are kept; a write gives a new listing, with the
    new counts, on the very next request."""
    first = client.get(BROWSE + "?theme=lighting")
    again = client.get(BROWSE + "?theme=lighting&sort=title")
    assert again.context["facets"] is first.context["facets"]
    themes = next(item for item in again.context["facets"] if item["facet"].name == "theme")
    assert themes["html"] in again.content.decode()
    assert 'value="lighting" checked> Lighting <span class="facet__count">(1)</span>' in themes["html"]
    make_entry("Lighting the market", themes=["lighting"])
    after = client.get(BROWSE + "?theme=lighting")
    assert after.context["facets"] is not first.context["facets"]
    assert 'value="lighting" checked> Lighting <span class="facet__count">(2)</span>' in after.content.decode()
    other = client.get(BROWSE + "?theme=youth")
    assert other.context["facets"] is not after.context["facets"]
    assert 'value="lighting" checked>' not in other.content.decode()


@pytest.mark.parametrize(
    "query", ["?q=lighting", "?q=lighting&theme=lighting", "?theme=lighting&violence_type=organized"]
)
def test_a_text_query_or_two_facets_are_never_kept(client, entries, query):
    for _ in range(2):
        assert visit(client, query)[0] == ["counts", "other"]


def publish_the_draft():
    draft = Entry.objects.get(title="Draft on lighting")
    draft.status, draft.published_at = "published", timezone.now()
    draft.save()


def add_a_theme_through_the_orm():
    Entry.objects.get(title="Street lighting audit").themes.add(theme("youth"))


def raw_sql_update():
    with connection.cursor() as cursor:
        cursor.execute("UPDATE depository_entry SET kind = 'guidance' WHERE title = 'Street lighting audit'")


def bulk_create():
    (created,) = Entry.objects.bulk_create(
        [Entry(title="Bulk one", slug="bulk-one", kind="tool", status="published", published_at=timezone.now())]
    )
    Entry.themes.through.objects.bulk_create([Entry.themes.through(entry=created, theme=theme("lighting"))])


def delete_an_entry():
    Entry.objects.get(title="Youth mentoring").delete()


def rename_a_term():
    Theme.objects.filter(slug="lighting").update(name="Public illumination")


def add_a_term_no_entry_uses():
    Theme.objects.create(slug="mediation", name="Mediation")  # the theme facet lists every theme


def rename_a_term_no_entry_uses():
    Theme.objects.filter(slug="unused").update(name="Now in use somewhere")


# (write, the page's total after it, {(facet, value): (label, count)} it changes)
WRITES = {
    "an entry published": (publish_the_draft, 3, {("theme", "lighting"): ("Lighting", 2)}),
    "a theme added through the ORM": (add_a_theme_through_the_orm, 2, {("theme", "youth"): ("Youth", 2)}),
    "a raw SQL UPDATE": (raw_sql_update, 2, {("kind", "tool"): ("Tool", 0), ("kind", "guidance"): ("Guidance", 2)}),
    "a bulk_create": (bulk_create, 3, {("theme", "lighting"): ("Lighting", 2)}),
    "a delete": (delete_an_entry, 1, {("theme", "youth"): ("Youth", 0), ("kind", "guidance"): ("Guidance", 0)}),
    "a term renamed": (rename_a_term, 2, {("theme", "lighting"): ("Public illumination", 1)}),
    "a term added that no entry uses": (add_a_term_no_entry_uses, 2, {("theme", "mediation"): ("Mediation", 0)}),
    "a term renamed that no entry uses": (
        rename_a_term_no_entry_uses,
        2,
        {("theme", "unused"): ("Now in use somewhere", 0)},
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
@pytest.mark.parametrize("query", ["", "?theme=lighting&theme=youth"], ids=["unfiltered", "one facet"])
def test_any_write_that_changes_the_index_gives_the_new_counts_on_the_very_next_request(client, entries, write, query):
    theme("unused")
    change, total, changed = write
    visit(client, query)
    queries, before = visit(client, query)
    assert queries == HIT
    change()
    queries, after = visit(client, query)
    assert queries == STALE
    if query == "":
        assert after[0] == total
    for key, shown in changed.items():
        assert after[1][key] == shown and before[1].get(key) != shown
    # And what an empty cache counts (a new process; the same counting statement without the cache).
    counts_cache.clear()
    queries, recounted = visit(client, query)
    assert queries == COLD and recounted == after


def test_a_curators_and_a_visitors_listings_never_mix(organizer_client, entries):
    visitor, curator = Client(), organizer_client
    rounds = [(visit(visitor), visit(curator)) for _ in range(2)]
    (visitor_cold, curator_cold), (visitor_hit, curator_hit) = rounds
    # (A curator's page reads more: the session, the user, the groups.)
    assert visitor_cold[0] == COLD and curator_cold[0].count("counts") == 1
    assert visitor_hit[0] == HIT and curator_hit[0].count("generation") == 1 and "counts" not in curator_hit[0]
    # Drafts are counted for curators only.
    assert visitor_hit[1][0] == 2 and curator_hit[1][0] == 3
    assert visitor_hit[1][1][("theme", "lighting")] == ("Lighting", 1)
    assert curator_hit[1][1][("theme", "lighting")] == ("Lighting", 2)
    assert visitor_hit[1] == visitor_cold[1] and curator_hit[1] == curator_cold[1]


def test_each_language_keeps_its_own_labels(client, entries):
    Theme.objects.filter(slug="lighting").update(name_es="Alumbrado")
    assert visit(client)[1][1][("theme", "lighting")] == ("Lighting", 1)
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/es" + BROWSE)
        shown = {value.value: value.label for item in response.context["facets"] for value in item["values"]}
        assert shown["lighting"] == "Alumbrado"
    assert [kind(query["sql"]) for query in queries.captured_queries] == HIT
    assert visit(client)[0] == HIT and visit(client)[1][1][("theme", "lighting")] == ("Lighting", 1)


def test_forgetting_everything_changes_nothing_but_speed(client, entries, monkeypatch):
    pages = ["", "?theme=lighting", "?violence_type=organized", "?kind=guidance"]
    kept = {query: visit(client, query)[1] for query in pages}
    # One value kept at most: every page evicts the one before, and is counted again from cold.
    monkeypatch.setattr(counts_cache, "MAX_ENTRIES", 1)
    counts_cache.clear()
    for query in pages * 2:
        queries, shown = visit(client, query)
        assert shown == kept[query]
    assert queries == COLD
    assert visit(client, pages[-1])[0] == HIT
    counts_cache.clear()
    assert {query: visit(client, query)[1] for query in pages} == kept


def test_a_rolled_back_write_never_lends_its_generation_to_the_next(client, entries):
    """Inside a transaction that is then rolled back, a page counts that transaction's own rows under
    the generation it took; the next write's generation is another number (a sequence's), so that
    value is never taken for the next write's counts."""
    visit(client)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_entry("Rolled back", themes=["lighting"])
        queries, inside = visit(client)
        assert queries == STALE and inside[1][("theme", "lighting")] == ("Lighting", 2)
        raise RuntimeError("rolled back")
    make_entry("Kept", themes=["youth"])
    queries, after = visit(client)
    assert queries == STALE
    assert after[1][("theme", "lighting")] == ("Lighting", 1) and after[1][("theme", "youth")] == ("Youth", 2)


def test_the_kept_counts_equal_a_brute_force_count(client, entries):
    make_entry("Second youth practice", themes=["youth"], kind="guidance", year=2020)
    for query, selected in [("", {}), ("?theme=youth", {"theme": ["youth"]}), ("?year=2020", {"year": ["2020"]})]:
        visit(client, query)
        queries, _ = visit(client, query)
        assert queries == HIT
        results = search.search(QueryDict(query.lstrip("?")), AnonymousUser())
        assert (results.count, shown_counts(results)) == brute_force("", selected, facet_keys_by_entry())


def test_without_a_generation_row_nothing_is_kept(client, entries):
    search.flush()  # the entries' reindex, which would write the row again
    SearchGeneration.objects.all().delete()
    for _ in range(2):
        # Nor the terms: the cards' theme names (facet_terms.theme_names) are read again after the page.
        assert visit(client)[0] == [*COLD, "terms"]
    assert counts_cache.current_generation() is None


def test_the_generation_changes_with_every_reindex_and_rebuild(db):
    make_entry("Saved")
    search.flush()
    seen = [counts_cache.current_generation()]
    Entry.objects.update(title="Saved again")
    search.flush()
    seen.append(counts_cache.current_generation())
    search.rebuild()
    seen.append(counts_cache.current_generation())
    assert search.flush() == 0  # nothing queued, no term changed: no new generation
    seen.append(counts_cache.current_generation())
    numbers = [int(generation.split(".")[1]) for generation in seen]  # "<table oid>.<number>"
    assert numbers[0] < numbers[1] < numbers[2] == numbers[3]
    generation, total, _ = facet_index.count_at_generation({}, facet_index.PUBLISHED)
    assert generation == seen[3] and total == 1


def test_a_restored_table_is_another_generation_whatever_its_number(client, entries):
    """A restore recreates the table (DROP SCHEMA, then pg_restore: core/backups/postgres.py) with the
    sequence as the backup had it, so numbers handed out since may come again: the generation names
    the table too."""
    visit(client)
    assert visit(client)[0] == HIT
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE depository_searchgeneration RENAME TO restored_from; "
            "CREATE TABLE depository_searchgeneration (LIKE restored_from INCLUDING ALL); "
            "INSERT INTO depository_searchgeneration SELECT * FROM restored_from"
        )
    queries, shown = visit(client)
    assert queries == STALE and shown[0] == 2


@pytest.mark.django_db(transaction=True)
def test_a_commit_gives_the_new_generation_with_the_new_rows():
    """The real commit path (the deferred triggers, not the tests' flush): a new entry's commit and a
    term's that no entry uses each make the kept counts stale for the very next page."""
    make_entry("Committed practice", themes=["lighting"])  # committed: autocommit
    client = Client()
    visit(client)
    assert visit(client)[0] == HIT
    make_entry("Another", themes=["lighting"])  # each statement committed, and reindexed at its commit
    queries, shown = visit(client)
    assert queries == STALE and shown[1][("theme", "lighting")] == ("Lighting", 2)
    Theme.objects.create(slug="unused", name="Unused")
    queries, shown = visit(client)
    assert queries == STALE and shown[1][("theme", "unused")] == ("Unused", 0)
    assert visit(client)[0] == HIT


@pytest.mark.parametrize("write", ["a term renamed", "a term added that no entry uses", "an entry published"])
def test_a_search_with_words_lists_the_facet_rows_terms_as_of_the_last_write(client, entries, write):
    """depository/search/facet_terms.py: a search with words is never kept, but what its facet rows are
    called is, per process, at the index's generation; after any write, the very next search reads
    them again (one statement more), and shows the new name, the new term, the new row."""
    theme("unused")
    change, _, changed = WRITES[write]  # its changes, among the two entries with "lighting", too
    visit(client, "?q=lighting")
    queries, before = visit(client, "?q=lighting")
    assert queries == ["counts", "other"]
    change()
    queries, after = visit(client, "?q=lighting")
    assert queries == ["counts", "terms", "other"]
    for key, shown in changed.items():
        assert after[1][key] == shown and before[1].get(key) != shown
    assert visit(client, "?q=lighting")[0] == ["counts", "other"]
    # What a new process (nothing kept) reads in the counting statement itself: the same listing.
    facet_terms.clear()
    queries, fresh = visit(client, "?q=lighting")
    assert queries == ["counts", "other"] and fresh == after
