"""The search index as one part (issue 12): every write path keeps it current through the change queue,
the document holds what people type (vocabulary names, compounds, every public file), never a
non-public file's words, the tables do not grow with edits, and every count is exact."""

import io
import itertools
import json
import random
import re
import threading
import time
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import now
from taggit.models import Tag

from depository import search
from depository.facets import FACETS
from depository.models import (
    Entry,
    EntryPostings,
    EntrySearchDocument,
    InternalTag,
    SearchQueue,
    TermPosting,
    Theme,
)
from depository.models.search_documents import GIN_PENDING_LIST_KB
from depository.search import facet_index
from portal.records import load_records
from tests.depository_helpers import attach, city, make_entry, theme


def titles(client, **params):
    response = client.get(reverse("depository:browse"), params)
    assert response.status_code == 200
    return sorted(entry.title for entry in response.context["page"])


def public_search(query_string):
    return search.search(QueryDict(query_string), AnonymousUser())


# -- one mechanism for every write path ---------------------------------------------------------------
@pytest.mark.django_db
def test_queryset_update_bulk_create_and_raw_sql_are_indexed_like_save(client):
    entry = make_entry("Street lighting audit", themes=["youth"])
    Entry.objects.filter(pk=entry.pk).update(title="Safety walk")  # no signal, no save()
    assert titles(client, q="walk") == ["Safety walk"] and titles(client, q="lighting") == []

    bulk = Entry.objects.bulk_create(
        [
            Entry(
                title=f"Ceasefire monitor {n}",
                slug=f"ceasefire-{n}",
                kind="tool",
                status="published",
                published_at=now(),
            )
            for n in range(3)
        ]
    )
    Entry.themes.through.objects.bulk_create(
        [Entry.themes.through(entry_id=row.pk, theme_id=theme("mediation").pk) for row in bulk]
    )
    assert titles(client, q="ceasefire", theme="mediation") == [f"Ceasefire monitor {n}" for n in range(3)]

    with connection.cursor() as cursor:
        cursor.execute("UPDATE depository_entry SET status = 'archived' WHERE slug = 'ceasefire-0'")
    assert titles(client, q="ceasefire") == ["Ceasefire monitor 1", "Ceasefire monitor 2"]
    search.flush()
    assert not SearchQueue.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_commit_brings_the_index_up_to_date_by_itself():
    """In autocommit every statement commits: the deferred trigger flushes the queue, nobody else."""
    entry = make_entry("Kidnapping response protocol", themes=["youth"])
    assert not SearchQueue.objects.exists()
    assert EntrySearchDocument.objects.filter(entry=entry, document="kidnapping").exists()
    results = public_search("q=kidnapping&theme=youth")
    assert results.count == 1 and [row.title for row in results.page] == ["Kidnapping response protocol"]


@pytest.mark.django_db
def test_a_term_renamed_or_moved_follows_in_documents_and_counts(client):
    make_entry("Council practice", themes=["lighting"], cities=[city("bogota", "Colombia")])
    assert titles(client, q="lighting") == ["Council practice"]  # the theme's name is in the document
    Theme.objects.filter(slug="lighting").update(name="Public illumination")
    assert titles(client, q="illumination") == ["Council practice"] and titles(client, q="lighting") == []
    city_row = city("bogota")
    city_row.country = "Republic of Colombia"
    city_row.save()
    assert titles(client, country="Republic of Colombia") == ["Council practice"]


def facet_row_versions():
    """{(facet, value): ctid} of every facet row: an UPDATE gives a row a new ctid, even in one transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT facet, value, ctid::text FROM depository_facetposting")
        return {(facet, value): ctid for facet, value, ctid in cursor.fetchall()}


@pytest.mark.django_db
def test_a_save_rewrites_only_the_facet_rows_it_changes():
    """Issue 12's 30 ms save: a title edit writes no facet row; moving an entry from one theme to another
    writes those two themes' rows and nothing else (sql/search_v1.sql, by difference)."""
    entry = make_entry("Street lighting audit", themes=["youth"], cities=[city("bogota", "Colombia")])
    make_entry("Mediation desk", themes=["mediation", "youth"])
    search.flush()
    before = facet_row_versions()

    entry.title = "Safety walk audit"
    entry.save()
    search.flush()
    assert facet_row_versions() == before

    entry.themes.set([theme("mediation")])
    search.flush()
    after = facet_row_versions()
    changed = {key for key in after if after[key] != before.get(key)}
    assert changed == {("theme", str(theme("youth").pk)), ("theme", str(theme("mediation").pk))}
    assert public_search("theme=youth").count == 1 and public_search("theme=mediation").count == 2

    # Deleted, it leaves every row it was in, and its record goes.
    entry.delete()
    search.flush()
    assert public_search("theme=mediation").count == 1 and public_search("country=Colombia").count == 0
    assert not EntryPostings.objects.filter(entry_id=entry.pk).exists()


def wait_until_a_session_waits_for_a_lock(failures, deadline_seconds=60):
    """Return once another session of this database waits for a row lock (pg_stat_activity says so);
    polls that view, one query at a time, until the deadline."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        while time.monotonic() - started < deadline_seconds and not failures:
            # Inside a transaction the statistics views keep their first reading unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
    raise AssertionError(f"the second transaction never waited for the first one's facet row: {failures}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("row_exists", [True, False], ids=["existing row", "new row"])
def test_two_transactions_adding_entries_to_one_facet_row_both_count(row_exists):
    """Two curators tagging different entries with one theme at once: the second flush waits for the
    first's row and applies its own difference to the row as the first committed it (a lost update
    would drop one entry from the count)."""
    first, second = make_entry("First practice"), make_entry("Second practice")
    if row_exists:
        make_entry("Older practice", themes=["mediation"])
    mediation = theme("mediation")
    with transaction.atomic():
        first.themes.add(mediation)
        search.flush()  # this transaction now holds the mediation row (or its key)

        failures = []

        def tag_the_second():
            try:
                with transaction.atomic():
                    second.themes.add(mediation)  # flushed at this commit: waits for the first
            except Exception as error:  # noqa: BLE001 (reported by the test's own thread below)
                failures.append(error)
            finally:
                connection.close()

        other = threading.Thread(target=tag_the_second)
        other.start()
        wait_until_a_session_waits_for_a_lock(failures)
    other.join(timeout=60)
    assert not other.is_alive() and not failures
    expected = {"First practice", "Second practice"} | ({"Older practice"} if row_exists else set())
    results = public_search("theme=mediation")
    assert results.count == len(expected) and {row.title for row in results.page} == expected


# -- recall: what people type ------------------------------------------------------------------------
@pytest.mark.django_db
def test_vocabulary_names_in_every_language_and_hyphenated_compounds_are_found(client):
    exchange = Theme.objects.create(
        name="Local governance and city-to-city exchange",
        slug="local-governance",
        name_es="Gobernanza local e intercambio entre ciudades",
    )
    make_entry("Mayors' peer network", themes=[exchange])
    make_entry("Twinning notes", body="Lessons from city to city learning.")
    make_entry("Unrelated", body="Youth councils.")
    assert titles(client, q="local governance") == ["Mayors' peer network"]
    assert titles(client, q="gobernanza local") == ["Mayors' peer network"]
    assert titles(client, q="city-to-city") == ["Mayors' peer network", "Twinning notes"]
    assert titles(client, q="city to city") == ["Mayors' peer network", "Twinning notes"]
    assert titles(client, q='"city to city"') == ["Mayors' peer network", "Twinning notes"]
    assert titles(client, q="citytocity") == ["Mayors' peer network"]
    assert titles(client, q="city-to-city -twinning") == ["Mayors' peer network"]  # NOT still works


@pytest.mark.django_db
def test_a_non_public_files_words_never_reach_a_public_search(client, media_roots):
    entry = make_entry("Observatory", themes=["lighting"])
    hidden = attach(entry, name="internal.pdf", extracted_text="zanzibarite memorandum", is_public=False)
    assert titles(client, q="zanzibarite") == []
    feed = client.get(reverse("depository:feed"), {"q": "zanzibarite"}).content.decode()
    assert "Observatory" not in feed
    pack = zipfile.ZipFile(io.BytesIO(b"".join(client.get(reverse("depository:pack"), {"q": "zanzibarite"}))))
    assert "Observatory" not in pack.read("entries.csv").decode()
    hidden.is_public = True
    hidden.save()
    assert titles(client, q="zanzibarite") == ["Observatory"]


@pytest.mark.django_db
def test_a_long_file_never_pushes_the_entrys_other_files_out(client, media_roots):
    entry = make_entry("Annual report")
    attach(entry, name="long.pdf", extracted_text="filler " * 60_000)  # 420,000 characters
    attach(entry, name="short.pdf", extracted_text="quebradilla ordinance")
    assert titles(client, q="quebradilla") == ["Annual report"]


def toasted_chunks():
    """The number of chunks in the search documents' TOAST table (what is stored out of line)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltoastrelid::regclass FROM pg_class WHERE oid = %s::regclass",
            [EntrySearchDocument._meta.db_table],
        )
        toast_table = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM {toast_table}")  # noqa: S608 (PostgreSQL's own name)
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_document_of_a_few_kilobytes_stays_in_its_tables_own_pages(client):
    """Ranking and the snippet's test read whole documents: one under a page (migration 0041's
    toast_tuple_target) is kept in the table, not fetched from its TOAST table; a longer one, with a
    long text, is moved out as before, and both are found."""
    before = toasted_chunks()
    words = [f"lexeme{number:04d}x" for number in range(2400)]
    make_entry("Few kilobytes", body=" ".join(words[:300]))
    search.flush()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(document) FROM depository_entrysearchdocument d "
            "JOIN depository_entry e ON e.id = d.entry_id WHERE e.title = 'Few kilobytes'"
        )
        size = cursor.fetchone()[0]
    assert 2_500 < size < 8_000  # over PostgreSQL's 2 kB threshold of moving a value out
    assert toasted_chunks() == before
    make_entry("Many kilobytes", body=" ".join(words))
    search.flush()
    assert toasted_chunks() > before
    assert titles(client, q="lexeme0007x") == ["Few kilobytes", "Many kilobytes"]


# -- no table that grows with edits ------------------------------------------------------------------
@pytest.mark.django_db
def test_every_gin_index_of_the_documents_caps_its_own_pending_list():
    """A search reads the pending list of each language group's GIN index it asks, so the cap is per index
    (GIN_PENDING_LIST_KB, depository/models/search_documents.py: 64 kB, 8 pages). Every GIN index of the
    search documents has it in the database, as the model declares it: one left at 256 kB, or at
    PostgreSQL's 4 MB, would make every search of its group read up to 32 or 512 pages more."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reloptions FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam WHERE i.indrelid = %s::regclass AND a.amname = 'gin' ORDER BY 1",
            [EntrySearchDocument._meta.db_table],
        )
        rows = cursor.fetchall()
    declared = {index.name for index in EntrySearchDocument._meta.indexes if index.suffix == "gin"}
    assert {name for name, _ in rows} == declared and len(declared) == 10
    for name, options in rows:
        assert options == [f"gin_pending_list_limit={GIN_PENDING_LIST_KB}"] == ["gin_pending_list_limit=64"], name


def relation_sizes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(pg_total_relation_size(c)) FROM unnest(ARRAY["
            "'depository_facetposting', 'depository_entrysearchdocument', 'depository_searchqueue']::regclass[]) c"
        )
        return int(cursor.fetchone()[0])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_table_sizes_stay_flat_over_twenty_rounds_of_edits():
    load_records()
    """2,000 entries; 20 rounds of editing 100 of them (title, themes, status) through save(), update()
    and the relations; a plain VACUUM (as autovacuum does) after each round. The index tables end
    within 10 % of their size after the first round: dead versions are reused, not accumulated."""
    call_command("generate_synthetic_entries", entries=2000, allow_any_database=True, stdout=io.StringIO())
    rng = random.Random(12)
    ids = list(Entry.objects.values_list("pk", flat=True))
    themes = list(Theme.objects.all())
    sizes = []
    for round_number in range(20):
        chosen = rng.sample(ids, 100)
        for pk in chosen[:30]:
            entry = Entry.objects.get(pk=pk)
            entry.title = f"{entry.title[:200]} revised {round_number}"
            entry.save()
            entry.themes.set(rng.sample(themes, 2))
        Entry.objects.filter(pk__in=chosen[30:]).update(
            status="archived" if round_number % 2 else "published", summary=f"Round {round_number} summary"
        )
        with connection.cursor() as cursor:
            for table in ("depository_facetposting", "depository_entrysearchdocument", "depository_searchqueue"):
                cursor.execute(f"VACUUM {table}")
        sizes.append(relation_sizes())
    assert not SearchQueue.objects.exists()
    assert sizes[-1] <= sizes[0] * 1.1, sizes


# -- exact counts ------------------------------------------------------------------------------------
def facet_keys_by_entry():
    """{entry id: {(facet, value), ...}} of every entry, from the relational tables (no facet index); a
    theme counts for its parent too."""
    keys = {}
    for entry in Entry.objects.prefetch_related("themes__parent", "city_types", "violence_types"):
        entry_keys = {("kind", entry.kind), ("language", entry.language)}
        entry_keys |= {("year", str(entry.year))} if entry.year else set()
        entry_keys |= {("evidence", entry.evidence_level)} if entry.evidence_level else set()
        for term in entry.themes.all():
            entry_keys |= {("theme", term.slug)} | ({("theme", term.parent.slug)} if term.parent else set())
        entry_keys |= {("city_type", term.slug) for term in entry.city_types.all()}
        entry_keys |= {("violence_type", term.slug) for term in entry.violence_types.all()}
        keys[entry.pk] = entry_keys
    return keys


def brute_force(query, selected, keys_by_entry):
    """Count and every facet's counts of the published entries matching `query` and the filters, from
    the documents scanned one by one (no GIN, no facet index) and `keys_by_entry` (facet_keys_by_entry)."""
    text = search.text.normalize_query(query)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.entry_id FROM depository_entrysearchdocument d JOIN depository_entry e ON e.id = d.entry_id "
            "WHERE e.status = 'published' AND (%s = '' OR d.document @@ websearch_to_tsquery("
            "depository_search_config(d.language), %s))",
            [text, text],
        )
        matched = {row[0] for row in cursor.fetchall()}
    values = {}  # (facet, value) -> entry ids
    for pk in matched:
        for key in keys_by_entry[pk]:
            values.setdefault(key, set()).add(pk)

    def passes(pk, except_facet=None):
        return all(
            any(pk in values.get((name, value), ()) for value in chosen)
            for name, chosen in selected.items()
            if chosen and name != except_facet
        )

    total = sum(1 for pk in matched if passes(pk))
    counts = {
        (name, value): sum(1 for pk in members if passes(pk, except_facet=name))
        for (name, value), members in values.items()
    }
    return total, {key: n for key, n in counts.items() if n}


def shown_counts(results):
    return {
        (item["facet"].name, value.value): value.count
        for item in results.facets
        if item["facet"].name in {"kind", "language", "year", "evidence", "theme", "city_type", "violence_type"}
        for value in item["values"]
        if value.count
    }


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_counts_equal_a_brute_force_count_for_a_hundred_queries(monkeypatch):
    """Both ways of counting (from the matches' records when they are few, from the bit strings when
    they are many) give a brute-force count's answers: the structured queries (none, a phrase in
    Spanish, a negation, and twenty with facets chosen, where counts are disjunctive) on both ways, a
    hundred random queries of one to three words on one way each, in turn, so each way meets fifty
    (it used to be two hundred on both ways: 45 s). The entries' facet values are read once."""
    load_records()
    call_command("generate_synthetic_entries", entries=2000, allow_any_database=True, stdout=io.StringIO())
    Entry.objects.filter(pk__in=Entry.objects.order_by("?").values("pk")[:150]).update(status="draft")
    keys_by_entry = facet_keys_by_entry()
    rng = random.Random(42)
    vocabulary = sorted(
        {word for title in Entry.objects.values_list("title", flat=True)[:400] for word in title.split()}
    )
    theme_slugs = list(Theme.objects.values_list("slug", flat=True))
    # FEW_MATCHES is more than the corpus holds: the matches' records; 0: the bit strings.
    both_ways = (facet_index.FEW_MATCHES, 0)
    random_queries = [(" ".join(rng.sample(vocabulary, rng.randint(1, 3))), {}) for _ in range(100)]
    checks = [(query, selected, both_ways) for query, selected in [
        ("", {}), ("", {"theme": theme_slugs[:2]}), ("seguridad urbana", {}), ("-violence", {})
    ]]  # fmt: skip
    for index in range(0, 100, 5):  # with facets too: disjunctive counts
        selected = {"theme": rng.sample(theme_slugs, 2), "language": ["en", "es"]}
        checks.append((random_queries[index][0], selected, both_ways))
    checks += [(query, selected, (both_ways[n % 2],)) for n, (query, selected) in enumerate(random_queries)]
    for query, selected, ways in checks:
        params = QueryDict(mutable=True)
        params["q"] = query
        for name, chosen in selected.items():
            params.setlist(name, chosen)
        total, counts = brute_force(
            query, {facet.name: selected.get(facet.name, []) for facet in FACETS}, keys_by_entry
        )
        for few in ways:
            monkeypatch.setattr(facet_index, "FEW_MATCHES", few)
            results = search.search(params, AnonymousUser())
            assert results.count == total, (query, selected, few)
            assert shown_counts(results) == counts, (query, selected, few)


@pytest.mark.django_db
def test_the_counting_statement_is_prepared_once_per_connection(settings):
    """depository/search/prepared.py: the first search of a shape prepares its counting statement, the
    next ones execute it (one statement each time, as Django counts them), with the same answers as an
    unprepared run; a rolled-back transaction does not lose it."""
    make_entry("Kidnapping response protocol", themes=["youth"])
    make_entry("Youth mediation desk", themes=["youth", "mediation"])
    search.flush()
    query = "q=kidnapping+OR+mediation&theme=youth"
    with connection.cursor() as cursor:  # earlier tests on this connection may have prepared the shape
        cursor.execute("DEALLOCATE ALL")
    search.prepared._prepared.pop(connection.connection, None)
    settings.SEARCH_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as plain:
        expected = public_search(query)
    assert not any(q["sql"].startswith(("PREPARE", "EXECUTE")) for q in plain.captured_queries)
    settings.SEARCH_PREPARED_STATEMENTS = True
    with CaptureQueriesContext(connection) as first:
        prepared_first = public_search(query)
    with CaptureQueriesContext(connection) as second:
        prepared_second = public_search(query)
    assert [q["sql"][:8] for q in first.captured_queries].count("PREPARE ") == 1
    assert [q["sql"][:8] for q in second.captured_queries].count("EXECUTE ") == 1
    assert len(plain.captured_queries) == len(first.captured_queries) == len(second.captured_queries)
    for results in (prepared_first, prepared_second):
        assert results.count == expected.count == 2
        assert shown_counts(results) == shown_counts(expected)
    with pytest.raises(DatabaseError), transaction.atomic():
        public_search(query)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1/0")
    assert public_search(query).count == 2


# -- bulk loading -----------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_generator_loads_the_anchor_corpus_keys_and_refuses_unknown_ones(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    row = {
        "id": 1, "title": "crime prevention in cities", "summary": "s", "body": "b", "language": "en",
        "year": 2020, "published": "2020-05-01", "kind": "report", "city_type": ["megacity"],
        "violence_type": ["gang-violence"], "theme": ["youth", "peacebuilding"], "tags": ["tag-01"],
    }  # fmt: skip
    corpus.write_text(json.dumps(row) + "\n")
    call_command("generate_synthetic_entries", jsonl=str(corpus), allow_any_database=True, stdout=io.StringIO())
    entry = Entry.objects.get()
    assert sorted(entry.themes.values_list("slug", flat=True)) == ["peacebuilding", "youth"]
    assert list(entry.city_types.values_list("slug", flat=True)) == ["megacity"]
    assert list(entry.violence_types.values_list("slug", flat=True)) == ["gang-violence"]
    assert public_search("theme=youth&city_type=megacity&q=crime").count == 1
    # The corpus's "report" is a kind the portal has, so the entry can be saved in the admin (issue 22).
    assert entry.kind == "publication"
    entry.full_clean()

    corpus.write_text(json.dumps({**row, "id": 2, "kind": "poem"}) + "\n")
    with pytest.raises(CommandError, match="unknown kind 'poem'"):
        call_command("generate_synthetic_entries", jsonl=str(corpus), allow_any_database=True, stdout=io.StringIO())

    corpus.write_text(json.dumps({**row, "id": 2, "themes_typo": ["x"]}) + "\n")
    with pytest.raises(CommandError, match="unknown keys themes_typo"):
        call_command("generate_synthetic_entries", jsonl=str(corpus), allow_any_database=True, stdout=io.StringIO())


def ranked_titles(client, query):
    response = client.get(reverse("depository:browse"), {"q": query, "sort": "relevance"})
    assert response.status_code == 200
    return [entry.title for entry in response.context["page"]]


@pytest.mark.django_db
@pytest.mark.parametrize("term_rows", [False, True], ids=["without term rows", "with term rows"])
def test_equal_ranks_follow_the_entries_dates_as_they_change(client, term_rows):
    """Ranking orders equal ranks by the entry's year, date issued, date added and creation, read from
    the copies the search document keeps (sql/search_v8.sql): a change of any of them alone reorders
    the next search, through save() and update() alike, and a rebuild keeps what the flush wrote. Both
    ways the write function takes: with term rows (a date alone changed leaves them as they were) and
    without any."""
    older = make_entry("Ledger of quarrels", year=2019)
    newer = make_entry("Register of quarrels", year=2021)
    search.flush()
    if term_rows:
        assert search.choose_terms(min_entries=1) > 0
    terms_before = sorted(TermPosting.objects.values_list("language", "lexeme", "entry_bits", "title_bits", "size"))
    assert ranked_titles(client, "quarrels") == ["Register of quarrels", "Ledger of quarrels"]
    older.year = 2023
    older.save()
    search.flush()
    assert ranked_titles(client, "quarrels") == ["Ledger of quarrels", "Register of quarrels"]
    Entry.objects.filter(pk=newer.pk).update(year=2023, date_issued="2023-06-01")  # same year: the date
    search.flush()
    assert ranked_titles(client, "quarrels") == ["Register of quarrels", "Ledger of quarrels"]
    Entry.objects.filter(pk=newer.pk).update(date_issued=None)
    Entry.objects.filter(pk=older.pk).update(published_at=now())  # the date added, newest
    search.flush()
    assert ranked_titles(client, "quarrels") == ["Ledger of quarrels", "Register of quarrels"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM depository_entrysearchdocument d JOIN depository_entry e ON e.id = d.entry_id "
            "WHERE (d.year, d.date_issued, d.published_at, d.created_at) "
            "IS DISTINCT FROM (e.year, e.date_issued, e.published_at, e.created_at)"
        )
        assert cursor.fetchone()[0] == 0
    assert terms_before == sorted(
        TermPosting.objects.values_list("language", "lexeme", "entry_bits", "title_bits", "size")
    )
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert ranked_titles(client, "quarrels") == ["Ledger of quarrels", "Register of quarrels"]


@pytest.mark.django_db
def test_rebuild_gives_what_the_queue_kept(client):
    make_entry("One", themes=["lighting"], tags=["alpha"])
    make_entry("Two", status="draft", themes=["youth"])
    search.flush()
    kept = sorted(facet_index.FacetPosting.objects.values_list("facet", "value", "entry_ids"))
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "rebuilt for 2 entries" in out.getvalue()
    assert sorted(facet_index.FacetPosting.objects.values_list("facet", "value", "entry_ids")) == kept


# -- an empty result explains itself -----------------------------------------------------------------
@pytest.mark.django_db
def test_an_empty_result_says_what_was_searched_and_which_words_were_ignored(client):
    make_entry("Street lighting audit", themes=["lighting"])
    make_entry("Youth councils", themes=["youth"])
    content = client.get(reverse("depository:browse"), {"q": "the and of"}).content.decode()
    assert "No entries match “the and of”." in content
    assert "These words are too common to search for and were ignored: the, and, of." in content
    assert "these filters" not in content

    content = client.get(reverse("depository:browse"), {"q": "the zanzibarite"}).content.decode()
    assert "No entries match “the zanzibarite”." in content
    assert "This word is too common to search for and was ignored: the." in content

    response = client.get(reverse("depository:browse"), {"q": "lighting", "theme": "youth"})
    content = response.content.decode()
    assert "No entries match “lighting” with these filters." in content
    assert 'href="?q=lighting">Search all entries for “lighting”</a>' in content
    assert "too common" not in content

    content = client.get(reverse("depository:browse"), {"theme": "youth", "year": "1999"}).content.decode()
    assert "No entries match these filters. Remove one of the filters above." in content


@pytest.mark.django_db
def test_an_empty_search_asks_for_the_ignored_words_instead_of_a_page(client, django_assert_num_queries):
    make_entry("Street lighting audit")
    with django_assert_num_queries(2):  # counts, the page with its themes' names
        client.get(reverse("depository:browse"), {"q": "lighting"})
    with django_assert_num_queries(2):  # counts (0: no page to fetch), the words ignored
        client.get(reverse("depository:browse"), {"q": "the zanzibarite"})


# -- the organizers' internal tags stay theirs ----------------------------------------------------------
@pytest.mark.django_db
def test_internal_tags_stay_out_of_public_facets_pages_and_search(organizer_client):
    client = Client()  # anonymous (organizer_client is the `client` fixture, logged in)
    entry = make_entry("Crime observatory paper", tags=["observatory", "proposed"])
    InternalTag.objects.create(tag=Tag.objects.get(name="proposed"), note="not yet written")
    response = client.get(reverse("depository:browse"))
    tags = next(item for item in response.context["facets"] if item["facet"].name == "tag")
    assert [value.value for value in tags["values"]] == ["observatory"]
    assert titles(client, tag="proposed") == [] and titles(client, q="proposed") == []
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "?tag=observatory" in page and "?tag=proposed" not in page
    # Curators see them everywhere.
    response = organizer_client.get(reverse("depository:browse"), {"tag": "proposed"})
    assert [row.title for row in response.context["page"]] == ["Crime observatory paper"]
    assert "?tag=proposed" in organizer_client.get(entry.get_absolute_url()).content.decode()
    # Made public again: searchable by its name at the next commit.
    InternalTag.objects.all().delete()
    assert titles(client, q="proposed") == ["Crime observatory paper"]


def test_the_records_mark_the_reports_bookkeeping_tags_internal(twg_records, client):
    assert set(InternalTag.objects.values_list("tag__name", flat=True)) == {
        "not-provided",
        "proposed",
        "idea",
        "wish-list",
    }
    response = client.get(reverse("depository:browse"))
    tags = {
        value.value for item in response.context["facets"] if item["facet"].name == "tag" for value in item["values"]
    }
    assert tags and not tags & {"not-provided", "proposed", "idea", "wish-list"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["?theme=youth", "?theme=youth&page=2", "?q=kidnapping", "?year=2014&sort=title"])
def test_the_page_statement_is_prepared_with_a_plan_for_every_value(client, settings, path):
    """depository/search/prepared.py, preparing(): the browse page's statement of rows is prepared on the
    first visit and executed after, the same rows as unprepared; its text is the same for every value of
    a facet (the value a parameter, the published status written in: EntryQuerySet.published), so one
    plan serves every theme's page."""
    for number in range(25):
        make_entry(f"Kidnapping response {number}", themes=["youth" if number % 2 else "mediation"], year=2014)
    make_entry("Draft on kidnapping", themes=["youth"], status="draft", year=2014)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    search.prepared._prepared.pop(connection.connection, None)
    settings.SEARCH_PREPARED_STATEMENTS = False
    expected = [entry.slug for entry in client.get(reverse("depository:browse") + path).context["page"]]
    settings.SEARCH_PREPARED_STATEMENTS = True
    visits = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            shown = [entry.slug for entry in client.get(reverse("depository:browse") + path).context["page"]]
        assert shown == expected and shown and "draft-on-kidnapping" not in shown
        visits.append([q["sql"].split(" ")[:2] for q in queries.captured_queries if "twg_page_" in q["sql"]])
    assert visits[0][0][0] == "PREPARE" and visits[1][0][0] == "EXECUTE"
    if "theme" in path:  # another theme's page runs the same prepared statement
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("depository:browse") + path.replace("youth", "mediation"))
        assert [q["sql"].split("(")[0] for q in queries.captured_queries if "twg_page_" in q["sql"]] == [
            f"EXECUTE {visits[1][0][1].split('(')[0]}"
        ]


def search_functions_called(statement):
    """The search's SQL-language functions (depository_*) that `statement` (an EXECUTE of a prepared
    statement) calls in its generic plan, as EXPLAIN VERBOSE shows them: a function PostgreSQL inlined is
    no longer there, its body is part of the plan."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
            "WHERE l.lanname = 'sql' AND p.proname LIKE 'depository\\_%%'"
        )
        functions = {row[0] for row in cursor.fetchall()}
        cursor.execute("EXPLAIN VERBOSE " + statement)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return sorted(set(re.findall(r"\b(depository_\w+)\(", plan)) & functions)


@pytest.mark.django_db
def test_no_sql_function_of_the_search_runs_as_a_statement_of_its_own(monkeypatch, organizer):
    """PostgreSQL inlines a SQL function into the statement that calls it only when each argument its body
    names more than once is cheap to compute again; otherwise each execution of the statement parses
    and plans the function's body again (depository_any_word, given websearch_to_tsquery(...) by the page
    statement: 10% of `kidnapping`'s page statement, sql/search_v11.sql). Every prepared statement of a
    search (by relevance; by date and by title, walking the sort's index or fetching the rows by id; a
    facet chosen, a phrase, a negation, an OR, stop words only; for a visitor and a curator), read in
    its generic plan (the plan PostgreSQL keeps after five executions), calls none of the search's SQL
    functions."""
    make_entry("Kidnapping response protocol", summary="A kidnapping response.", themes=["youth"])
    make_entry("Youth mediation desk", summary="Mediation for youth.", themes=["youth", "mediation"])
    search.flush()
    queries = ["q=kidnapping", "q=kidnapping+OR+mediation&theme=youth", 'q="response+protocol"+-gangs',
               "q=youth&sort=newest", "q=the+of", "theme=youth", "q=mediation&sort=title"]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
        cursor.execute("SET plan_cache_mode = force_generic_plan")
    search.prepared._prepared.pop(connection.connection, None)
    statements = []
    try:
        # Two matches fetch their rows by id; with WALK_FACTOR 0, every page not ranked walks the sort's index.
        for walk_factor, viewer, query in itertools.product(
            (search.WALK_FACTOR, 0), (AnonymousUser(), organizer), queries
        ):
            monkeypatch.setattr(search, "WALK_FACTOR", walk_factor)
            for _ in range(2):  # a statement is prepared by the time a text is run the second time
                list(search.search(QueryDict(query), viewer).page)
            with CaptureQueriesContext(connection) as executed:
                list(search.search(QueryDict(query), viewer).page)
            statements += [q["sql"] for q in executed.captured_queries if q["sql"].startswith("EXECUTE")]
        assert len(statements) >= 40 and len({statement.split("(")[0] for statement in statements}) >= 12
        for statement in statements:
            assert search_functions_called(statement) == [], statement[:120]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET plan_cache_mode")


@pytest.mark.django_db
def test_published_writes_its_status_into_the_sql():
    """EntryQuerySet.published(): the status a literal (a prepared statement's generic plan can use the
    partial indexes of published entries), not a parameter; the same rows as the lookup."""
    make_entry("Published one")
    make_entry("Draft one", status="draft")
    sql, params = Entry.objects.published().query.sql_with_params()
    assert '"depository_entry"."status" = \'published\'' in sql and "published" not in params
    assert list(Entry.objects.published().values_list("title", flat=True)) == ["Published one"]


@pytest.mark.django_db
def test_the_bit_test_answers_as_before_and_is_inlined():
    """depository_has (sql/search_v4.sql): the same answers as the former body for ids inside, outside
    and around a string, an empty string and NULLs; and PostgreSQL inlines it where the bits are a
    sub-select, as in a page's walk (a function call per entry passed over cost ~2.4 us, issue 23)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE depository_has(b.bits, g.id) IS DISTINCT FROM "
            "(CASE WHEN g.id >= 1 AND g.id <= length(b.bits) THEN get_bit(b.bits, g.id - 1) = 1 ELSE false END)) "
            "FROM (VALUES (B'0110010111'), (B'1'), (''::bit varying), (NULL::bit varying)) b(bits) "
            "CROSS JOIN (SELECT generate_series(-3, 14) UNION ALL SELECT NULL) g(id)"
        )
        assert cursor.fetchone() == (76, 0)
        cursor.execute(
            "EXPLAIN SELECT id FROM depository_entry WHERE "
            "depository_has((SELECT entry_bits FROM depository_facetposting LIMIT 1), id::integer)"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "depository_has" not in plan and "SUBSTRING" in plan


@pytest.mark.django_db
def test_a_page_walks_the_index_when_that_reads_less_than_fetching_every_match(client, monkeypatch, settings):
    """search.WALK_FACTOR: a page walks the sort's index when matches² >= WALK_FACTOR x (start + page
    size), else it fetches the matches by id; 25 matches with a factor of 31 walk for page 1 (625 >=
    620) and fetch for page 2 (625 < 1,240). Both list the same entries in the same order."""
    settings.SEARCH_PREPARED_STATEMENTS = False  # the page statement's text in full, every time
    for number in range(25):
        make_entry(f"Tool {number:02d}", themes=["youth"], year=2000 + number)
    url = reverse("depository:browse")

    def page(number, factor):
        monkeypatch.setattr(search, "WALK_FACTOR", factor)
        with CaptureQueriesContext(connection) as queries:
            titles = [entry.title for entry in client.get(url, {"theme": "youth", "page": number}).context["page"]]
        statement = next(q["sql"] for q in queries.captured_queries if '"depository_entry"."title"' in q["sql"])
        return titles, "depository_has(" in statement

    first, walked = page(1, 31)
    assert walked and first == [f"Tool {number:02d}" for number in range(24, 4, -1)]
    second, walked = page(2, 31)
    assert not walked and second == [f"Tool {number:02d}" for number in range(4, -1, -1)]
    assert page(1, 32) == (first, False) and page(2, 0) == (second, True)


SEARCH_GIN_INDEXES = [
    f"entry_search_{field}_{group}" for field in ("document", "title") for group in ("ar", "en", "es", "fr", "other")
]


@pytest.mark.django_db
def test_the_search_indexes_keep_a_short_pending_list():
    """EntrySearchDocument's GIN indexes (migration 0035, and 0042's per language group): PostgreSQL's
    default pending list of 4 MB, which a search reads in full, made a rare word's match 5x slower after
    1,000 saves (issue 23)."""
    from depository.models.search_documents import GIN_PENDING_LIST_KB

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s) ORDER BY relname", [SEARCH_GIN_INDEXES]
        )
        assert cursor.fetchall() == [
            (name, [f"gin_pending_list_limit={GIN_PENDING_LIST_KB}"]) for name in sorted(SEARCH_GIN_INDEXES)
        ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("condition", "index"),
    [
        ("language = 'en'", "entry_search_{}_en"),
        ("language = 'es'", "entry_search_{}_es"),
        ("language = 'fr'", "entry_search_{}_fr"),
        ("language = 'ar'", "entry_search_{}_ar"),
        ("language NOT IN ('en', 'es', 'fr', 'ar')", "entry_search_{}_other"),
    ],
)
@pytest.mark.parametrize("column", ["document", "title_vector"])
def test_each_language_groups_match_reads_its_own_index(condition, index, column):
    """Each arm of depository_matching_ids (sql/search_v5.sql), planned as the function plans it
    (generic plan, no sequential scan), reads its group's GIN index, which holds no other group's row:
    `violence` in the Spanish group no longer reads every English document that says it (migration
    0042; depository.models.search_documents.per_language_group)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(
            f"PREPARE arm(tsquery) AS SELECT entry_id FROM depository_entrysearchdocument "  # noqa: S608 (constants)
            f"WHERE {condition} AND {column} @@ $1"
        )
        cursor.execute("EXPLAIN EXECUTE arm('violenc')")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE arm")
    assert f"Bitmap Index Scan on {index.format(column.removesuffix('_vector'))}" in plan, plan
    assert "Filter" not in plan, plan  # no row read to be thrown away
