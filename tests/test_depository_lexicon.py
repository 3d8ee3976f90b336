"""The lexeme index (depository/lexicon.py): common words' bit strings and champion lists follow every
change of the search documents, the search answers from them exactly as the GIN index does, and a
search ranks an old entry whose body is about the words onto the first page."""

import io
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from depository import lexicon, postings
from depository.models import Entry, EntrySearchDocument, LexemeChampion, LexemePosting
from tests.depository_helpers import attach, make_entry

pytestmark = pytest.mark.django_db


def documents_with(lexeme):
    """The ids of the entries whose search document has `lexeme` (the GIN index's answer)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT entry_id FROM {EntrySearchDocument._meta.db_table} "  # noqa: S608 (the model's own table)
            "WHERE %s = ANY(tsvector_to_array(document)) ORDER BY entry_id",
            [lexeme],
        )
        return [row[0] for row in cursor.fetchall()]


def assert_current():
    """Every lexeme row's bits are the documents having it (the bits of deleted entries may stay:
    they are not published), and every row has the facet index's bit length."""
    existing = set(Entry.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT lexeme, depository_ids(entry_bits), length(entry_bits) FROM {LexemePosting._meta.db_table}"  # noqa: S608
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT depository_bit_length(NULL)")
        length = cursor.fetchone()[0]
    assert rows
    for lexeme, ids, bits in rows:
        assert bits == length
        assert [pk for pk in ids if pk in existing] == documents_with(lexeme), lexeme


def search_titles(client, text, **params):
    response = client.get(reverse("depository:browse"), {"q": text, **params})
    assert response.status_code == 200
    return [entry.title for entry in response.context["page"]], response.context["page"].paginator.count


def test_common_lexemes_follow_every_change_of_the_documents(client):
    lighting = [make_entry(f"Street lighting {number}", body="Lighting and youth.") for number in range(3)]
    make_entry("Youth councils", body="Councils of youth.")
    lexicon.rebuild(min_entries=2, champions=2)
    assert set(LexemePosting.objects.values_list("lexeme", flat=True)) >= {"light", "youth", "street"}
    assert_current()
    assert search_titles(client, "street lighting")[1] == 3

    added = make_entry("Lighting plans", body="Street lighting for youth.")  # a new document
    assert_current()
    assert search_titles(client, "street lighting")[1] == 4

    lighting[0].title = "Council plans"
    lighting[0].body = "Councils."
    lighting[0].save()  # an edited document leaves its old lexemes
    assert_current()
    assert search_titles(client, "street lighting")[1] == 3
    assert search_titles(client, "youth")[1] == 4

    attach(added, extracted_text="Mediation and lighting.")  # the files' text is indexed too
    assert_current()

    added.status = "draft"
    added.save()  # unpublished: found no more on the public page
    assert search_titles(client, "street lighting")[1] == 2
    lighting[1].delete()
    assert_current()
    assert search_titles(client, "street lighting")[1] == 1


def test_the_search_answers_as_the_gin_index_for_every_kind_of_query(client):
    for number in range(4):
        make_entry(f"Lighting {number}", body="Street lighting plans." if number % 2 else "Lighting of parks.")
    make_entry("Alumbrado", body="Alumbrado público y seguridad.", language="es")
    make_entry("Parks", body="Youth in parks.")
    gin = {}
    queries = ["lighting", "street lighting", '"street lighting"', "lighting -street", "lighting or youth", "light*"]
    queries += ["alumbrado", "the", "lighting seguridad"]
    for text in queries:
        gin[text] = search_titles(client, text, sort="title")
    lexicon.rebuild(min_entries=2, champions=2)
    assert LexemePosting.objects.filter(lexeme="light").exists()
    for text in queries:
        assert search_titles(client, text, sort="title") == gin[text], text


def test_a_search_sorted_otherwise_walks_the_index_with_the_matches_bits(client, monkeypatch):
    entries = [make_entry(f"Lighting {number}", body="Street lighting.") for number in range(4)]
    make_entry("Parks", body="Youth in parks.")
    lexicon.rebuild(min_entries=2, champions=2)
    expected = [entry.title for entry in sorted(entries, key=lambda entry: entry.published_at, reverse=True)]
    assert search_titles(client, "street lighting", sort="newest") == (expected, 4)
    monkeypatch.setattr("depository.filters.WALK_THE_INDEX_FROM", 1)
    assert search_titles(client, "street lighting", sort="newest") == (expected, 4)


def test_an_old_entry_about_the_words_ranks_on_the_first_page_among_many_newer_weak_matches(client, monkeypatch):
    """Past the window only candidates are ranked: the champions of the query's lexemes are among them."""
    monkeypatch.setattr("depository.filters.RANK_WINDOW", 2)
    monkeypatch.setattr(sys.modules["depository.views.browse"], "PAGE_SIZE", 2)
    about = make_entry("Municipal report", body="Street lighting. " * 30)
    weak = [make_entry(f"Report {number}", body="Parks, lighting and councils.") for number in range(8)]
    assert about.pk < min(entry.pk for entry in weak)  # the oldest: not among the most recent matches
    # Without the lexeme index (a small depository) only the window is ranked: the old entry is missed.
    titles, total = search_titles(client, "lighting")
    assert total == 9 and "Municipal report" not in titles
    lexicon.rebuild(min_entries=5, champions=2)
    titles, total = search_titles(client, "lighting")
    assert total == 9 and titles[0] == "Municipal report"
    # The lists follow the documents: a newer entry about the words joins them, an edited one leaves.
    newer = make_entry("Lighting programme", body="Lighting, lighting, street lighting. " * 20)
    assert set(LexemeChampion.objects.filter(lexeme="light").values_list("entry_id", flat=True)) == {
        about.pk,
        newer.pk,
    }
    about.body = "Parks."
    about.save()
    assert about.pk not in LexemeChampion.objects.filter(lexeme="light").values_list("entry_id", flat=True)
    titles, _ = search_titles(client, "lighting")
    assert titles[0] == "Lighting programme" and "Municipal report" not in titles


def test_few_matches_are_all_ranked_exactly(client):
    """At most the window's matches: every one is a candidate, ranked by the whole document."""
    make_entry("Parks", body="Lighting once.")
    make_entry("Lighting of streets", body="Street lighting, lighting and lighting.")
    lexicon.rebuild(min_entries=2, champions=1)
    titles, total = search_titles(client, "lighting")
    assert total == 2 and titles == ["Lighting of streets", "Parks"]


def test_the_lexeme_index_pads_with_the_facet_index(client):
    make_entry("Lighting one", body="Street lighting.")
    second = make_entry("Lighting two", body="Street lighting.")
    lexicon.rebuild(min_entries=2, champions=2)
    past = (second.pk // postings.BIT_STEP + 2) * postings.BIT_STEP  # two lengths further
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [Entry._meta.db_table, past])
    late = make_entry("Lighting three", body="Street lighting.")
    assert late.pk > past
    assert_current()
    assert search_titles(client, "street lighting")[1] == 3


def test_the_rebuild_command_lists_the_common_words(client):
    for number in range(3):
        make_entry(f"Lighting {number}", body="Street lighting.")
    out = io.StringIO()
    call_command("rebuild_search_index", "--documents", "--min-entries", "3", "--champions", "2", stdout=out)
    assert "Indexes rebuilt" in out.getvalue()
    assert set(LexemePosting.objects.values_list("lexeme", flat=True)) == {"light", "street"}
    assert LexemeChampion.objects.filter(lexeme="light").count() == 2
    assert_current()
    assert search_titles(client, "street lighting")[1] == 3
