"""`manage.py rebuild_search_index` (depository.search.rebuild, issue 23): the index it leaves is what the
entries give, counted by brute force; it rewrites only the rows that were wrong (an up-to-date index:
no row written, so no dead row left); readers see the old index until it commits; and an entry changed
while it runs keeps its change.

A rewritten row is told by its xmin (the transaction that wrote the version read): an UPDATE or a
DELETE leaves the old version behind as a dead row, and the new version has the rebuild's xmin. This
is exact at once, where pg_stat_user_tables.n_dead_tup is reported by each backend when it goes idle
or exits (the rebuild's own connections, after the test has read it)."""

import io
import threading
import time
from collections import defaultdict

import psycopg2
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from django.http import QueryDict

from depository import search
from depository.models import Entry, EntryPostings, FacetPosting
from depository.search import facet_index
from tests.depository_helpers import city, make_entry, theme

# The index's tables, each with the SQL of a row's key.
INDEX_TABLES = {
    "depository_facetposting": "facet || '=' || value",
    "depository_entrypostings": "entry_id::text",
    "depository_entrysearchdocument": "entry_id::text",
    "depository_termposting": "language || ':' || lexeme",
}
BASE_ROWS = {("", ""), ("status", "published")}


def row_versions():
    """{table: {key: xmin}} of the index's tables."""
    versions = {}
    with connection.cursor() as cursor:
        for table, key in INDEX_TABLES.items():
            cursor.execute(f"SELECT {key}, xmin::text FROM {table}")  # noqa: S608 (the test's own names)
            versions[table] = dict(cursor.fetchall())
    return versions


def rewritten(before, after):
    """{table: keys of the rows inserted, updated or deleted between the two versions}."""
    changed = {}
    for table in INDEX_TABLES:
        keys = before[table].keys() | after[table].keys()
        changed[table] = {key for key in keys if before[table].get(key) != after[table].get(key)}
    return changed


def brute_force():
    """{(facet, value): sorted entry ids} of every value some entry has, from the ORM, facet by facet
    as depository/facets.py declares them (a parent theme's row holds its sub-themes' entries)."""
    rows = defaultdict(set)
    entries = Entry.objects.prefetch_related("themes", "city_types", "violence_types", "cities", "tags")
    for entry in entries:
        values = [("", ""), ("status", entry.status), ("kind", entry.kind), ("language", entry.language)]
        values += [("evidence", entry.evidence_level)] if entry.evidence_level else []
        values += [("year", str(entry.year))] if entry.year is not None else []
        for item in entry.themes.all():
            values += [("theme", str(item.pk))] + ([("theme", str(item.parent_id))] if item.parent_id else [])
        values += [("city_type", str(item.pk)) for item in entry.city_types.all()]
        values += [("violence_type", str(item.pk)) for item in entry.violence_types.all()]
        values += [("city", str(item.pk)) for item in entry.cities.all()]
        values += [("country", item.country) for item in entry.cities.all() if item.country]
        values += [("tag", str(item.pk)) for item in entry.tags.all()]
        for value in values:
            rows[value].add(entry.pk)
    return {value: sorted(ids) for value, ids in rows.items()}


def assert_index_is_the_entries():
    """Every facet row, record and document is what the entries give: the rows' ids equal the brute
    force count, their bit strings and sizes agree with their ids, no row is empty but the two a
    search starts from, each entry's record names its rows, and each entry has its document as the
    document function computes it now."""
    expected = brute_force()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, facet, value, entry_ids, depository_ids(entry_bits), length(entry_bits), size "
            "FROM depository_facetposting"
        )
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    assert {(facet, value): ids for facet, value, ids, *_ in rows.values() if ids} == expected
    assert {(facet, value) for facet, value, ids, *_ in rows.values() if not ids} <= BASE_ROWS
    assert {(facet, value) for facet, value, *_ in rows.values()} >= BASE_ROWS
    largest = max(Entry.objects.values_list("pk", flat=True), default=0)
    for facet, value, ids, ids_from_bits, bit_length, size in rows.values():
        assert ids_from_bits == ids and size == len(ids), (facet, value)
        assert bit_length == (largest // facet_index.BIT_STEP + 1) * facet_index.BIT_STEP
    records = {record.entry_id: sorted(record.posting_ids) for record in EntryPostings.objects.all()}
    in_rows = defaultdict(list)
    for posting_id, (_facet, _value, ids, *_) in rows.items():
        for entry_id in ids:
            in_rows[entry_id].append(posting_id)
    assert records == {entry_id: sorted(posting_ids) for entry_id, posting_ids in in_rows.items()}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM depository_entry e FULL JOIN depository_entrysearchdocument d ON d.entry_id = e.id "
            "LEFT JOIN depository_search_documents(ARRAY(SELECT id FROM depository_entry)) n ON n.entry_id = e.id "
            "WHERE (d.language, d.title_vector, d.document) IS DISTINCT FROM (n.language, n.title_vector, n.document)"
        )
        assert cursor.fetchone()[0] == 0


def public_count(query_string):
    return search.search(QueryDict(query_string), AnonymousUser()).count


def make_catalogue():
    """Three entries, one a draft, across themes (one a sub-theme), tags, a city, years."""
    return (
        make_entry("Street lighting audit", themes=["youth"], tags=["alpha"], year=2015),
        make_entry("Mediation desk", status="draft", themes=[theme("mediation", parent="safety")], year=2016),
        make_entry("Bogota walks", themes=["youth", "safety"], cities=[city("bogota", "Colombia")], tags=["beta"]),
    )


@pytest.mark.django_db(transaction=True)  # the rebuild's own connections read what the setup committed
def test_a_rebuild_of_an_index_that_is_up_to_date_writes_no_row():
    """Issue 23: the rebuild deleted and rewrote every facet row and record (100,021 dead rows after a
    rebuild at 100,000 entries); now an index that is right is left as it is, every table of it."""
    make_catalogue()  # each save indexed at its commit
    assert search.choose_terms(min_entries=1, per_language=1000) > 0  # term rows for every word
    before = row_versions()
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert rewritten(before, row_versions()) == {table: set() for table in INDEX_TABLES}
    assert_index_is_the_entries()
    assert public_count("") == 2 and public_count(f"theme={theme('youth').slug}") == 2


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_rewrites_exactly_the_rows_that_were_wrong():
    """Rows restored by hand, a lost row, a row too many: the rebuild corrects each, and writes no other."""
    street, mediation, bogota = make_catalogue()
    youth, published = theme("youth"), FacetPosting.objects.get(facet="status", value="published")
    with connection.cursor() as cursor:
        # Street leaves the youth row (ids, bits and size), as if restored from an older backup.
        cursor.execute(
            "UPDATE depository_facetposting SET entry_ids = entry_ids - %s, "
            "entry_bits = depository_with_bits(entry_bits, ARRAY[%s], 0), size = size - 1 "
            "WHERE facet = 'theme' AND value = %s",
            [street.pk, street.pk, str(youth.pk)],
        )
        cursor.execute(
            "INSERT INTO depository_facetposting (facet, value, entry_ids, entry_bits, size) "
            "SELECT 'tag', '999999', ARRAY[%s], entry_bits, 1 FROM depository_facetposting WHERE facet = ''",
            [street.pk],
        )
        cursor.execute("DELETE FROM depository_facetposting WHERE id = %s", [published.pk])
        cursor.execute("DELETE FROM depository_entrypostings WHERE entry_id = %s", [mediation.pk])
        cursor.execute("INSERT INTO depository_entrypostings VALUES (999999, ARRAY[%s])", [published.pk])
        cursor.execute(
            "UPDATE depository_entrysearchdocument SET document = to_tsvector('simple', 'nothing') WHERE entry_id = %s",
            [street.pk],
        )
        cursor.execute("DELETE FROM depository_entrysearchdocument WHERE entry_id = %s", [bogota.pk])
    before = row_versions()

    call_command("rebuild_search_index", stdout=io.StringIO())

    assert_index_is_the_entries()
    assert public_count("") == 2 and public_count("q=lighting") == 1 and public_count("q=bogota") == 1
    # The published entries' records name the published row's new id; the draft's record is new.
    assert rewritten(before, row_versions()) == {
        "depository_facetposting": {f"theme={youth.pk}", "tag=999999", "status=published"},
        "depository_entrypostings": {str(street.pk), str(bogota.pk), str(mediation.pk), "999999"},
        "depository_entrysearchdocument": {str(street.pk), str(bogota.pk)},
        "depository_termposting": set(),  # none chosen
    }


def sessions_waiting_for_a_lock():
    """How many other sessions of this database wait for a lock (pg_stat_activity)."""
    with connection.cursor() as cursor:
        # Inside a transaction the statistics views keep their first reading unless cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def wait_until(condition, failures, deadline_seconds=60):
    """Return once `condition()` is true; polls it, one query at a time, until the deadline."""
    started = time.monotonic()
    while time.monotonic() - started < deadline_seconds and not failures:
        if condition():
            return
    raise AssertionError(f"not so after {deadline_seconds} s: {failures}")


def in_a_thread(target, failures):
    """Start `target` in a thread of its own (its own database connection, closed at the end)."""

    def run():
        try:
            target()
        except Exception as error:  # noqa: BLE001 (reported by the test's own thread)
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_readers_see_the_old_index_until_the_rebuild_commits_and_a_concurrent_change_is_kept():
    """The rebuild is held inside its facet transaction (another session locks a record it must
    rewrite): a reader then sees the old index, whole; a curator's change committed meanwhile waits for
    it (the flush cannot apply its difference to rows the rebuild is rewriting from an older snapshot),
    then applies its difference; after both, the index is what the entries give."""
    street, _mediation, bogota = make_catalogue()
    walks = make_entry("Night walks")
    youth = theme("youth")
    row = FacetPosting.objects.get(facet="theme", value=str(youth.pk))
    with connection.cursor() as cursor:  # the old index: Street is missing from the youth row and its record
        cursor.execute(
            "UPDATE depository_facetposting SET entry_ids = entry_ids - %s, "
            "entry_bits = depository_with_bits(entry_bits, ARRAY[%s], 0), size = size - 1 WHERE id = %s",
            [street.pk, street.pk, row.pk],
        )
        cursor.execute(
            "UPDATE depository_entrypostings SET posting_ids = posting_ids - %s WHERE entry_id = %s",
            [row.pk, street.pk],
        )
    old_record = EntryPostings.objects.get(entry_id=street.pk).posting_ids
    assert public_count(f"theme={youth.slug}") == 1

    holder = psycopg2.connect(**connection.get_connection_params())
    failures = []
    try:
        with holder.cursor() as cursor:  # holds the record the rebuild must rewrite
            cursor.execute("SELECT 1 FROM depository_entrypostings WHERE entry_id = %s FOR UPDATE", [street.pk])
        rebuild = in_a_thread(lambda: call_command("rebuild_search_index", stdout=io.StringIO()), failures)
        wait_until(lambda: sessions_waiting_for_a_lock() == 1, failures)  # the rebuild, for the record

        def tag_walks():
            with transaction.atomic():
                walks.themes.add(youth)  # flushed at this commit: waits for the rebuild

        curator = in_a_thread(tag_walks, failures)
        # The curator's flush waits for the rebuild (without the rebuild's table lock it would commit).
        wait_until(lambda: sessions_waiting_for_a_lock() == 2 or not curator.is_alive(), failures)
        # Mid-rebuild: the old index, whole (the row, the record, the count), nothing of the curator's.
        assert FacetPosting.objects.get(pk=row.pk).entry_ids == [bogota.pk]
        assert EntryPostings.objects.get(entry_id=street.pk).posting_ids == old_record
        assert public_count(f"theme={youth.slug}") == 1
    finally:
        holder.rollback()
        holder.close()
    rebuild.join(timeout=60)
    curator.join(timeout=60)
    assert not rebuild.is_alive() and not curator.is_alive() and not failures
    assert public_count(f"theme={youth.slug}") == 3
    assert_index_is_the_entries()


@pytest.mark.django_db(transaction=True)
def test_a_title_saved_while_the_rebuild_writes_the_documents_is_kept():
    """A curator's save whose flush holds an entry's document when the rebuild reaches it: the
    rebuild's chunk waits for it, then computes the documents with the save (it used to compute first,
    wait, and write the document from before the save over it)."""
    street, *_ = make_catalogue()
    failures = []
    with transaction.atomic():
        street.title = "Zanzibarite lighting audit"
        street.save()
        search.flush()  # this transaction now holds Street's document and the facet rows' table
        rebuild = in_a_thread(lambda: call_command("rebuild_search_index", stdout=io.StringIO()), failures)
        # The chunk of documents (for Street's) and the facet transaction (for the table) both wait.
        wait_until(lambda: sessions_waiting_for_a_lock() == 2, failures)
    rebuild.join(timeout=60)
    assert not rebuild.is_alive() and not failures
    assert public_count("q=zanzibarite") == 1
    assert_index_is_the_entries()
