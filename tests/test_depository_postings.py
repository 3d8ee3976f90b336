"""The facet index (depository/search/facet_index.py) stays equal to a rebuild from scratch after every kind of
change, whoever makes it (the change queue's triggers, flushed at commit)."""

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL
from django.urls import reverse

from depository import facets, search, services
from depository.models import Entry, FacetPosting, TermPosting, Theme
from depository.search import facet_index, text
from places.models import City
from tests.depository_helpers import city, make_entry, theme

pytestmark = pytest.mark.django_db


def snapshot():
    """Each non-empty row's ids, from its id array and from its bit string (which must agree), and
    the bit strings' lengths (which must be one)."""
    rows = FacetPosting.objects.annotate(
        ids_from_bits=RawSQL("depository_ids(entry_bits)", []), bit_length=RawSQL("length(entry_bits)", [])
    )
    lengths = {row.bit_length for row in rows}
    assert len(lengths) == 1 and lengths.pop() % facet_index.BIT_STEP == 0
    for row in rows:
        assert row.ids_from_bits == row.entry_ids and row.size == len(row.entry_ids), (row.facet, row.value)
    return {(row.facet, row.value): row.entry_ids for row in rows if row.entry_ids}


def assert_current():
    search.flush()  # as at the commit of the change
    kept = snapshot()
    search.rebuild()
    assert kept == snapshot()


def browse_count(client, **params):
    return client.get(reverse("depository:browse"), params).context["page"].paginator.count


def test_the_index_follows_every_change(client):
    safety = theme("safety")
    lighting = theme("lighting", parent="safety")
    first = make_entry("First", themes=[lighting], cities=[city("bogota", "Colombia")], tags=["alpha"], year=2015)
    second = make_entry("Second", status="draft", themes=["youth"], violence_types=["organized"])
    assert_current()
    assert browse_count(client, theme="safety") == 1  # a parent theme includes its sub-themes
    assert browse_count(client) == 1  # the draft is not public

    services.publish_entries(entries=Entry.objects.filter(pk=second.pk))
    assert_current()
    assert browse_count(client, violence_type="organized") == 1

    services.add_theme(entries=Entry.objects.all(), theme=theme("mediation"))
    assert_current()
    assert browse_count(client, theme="mediation") == 2

    first.themes.remove(lighting)
    first.tags.set(["beta"])
    first.year = 2016
    first.save()
    assert_current()
    assert browse_count(client, theme="safety") == 0
    assert browse_count(client, tag="beta", year="2016") == 1

    lighting.parent = None
    lighting.save()
    first.themes.add(lighting)
    youth = Theme.objects.get(slug="youth")
    youth.parent = safety
    youth.save()  # the youth entry now counts under safety
    assert_current()
    assert browse_count(client, theme="safety") == 1

    bogota = City.objects.get(slug="bogota")
    bogota.country = "Colombia (Republic)"
    bogota.save()
    assert_current()
    assert browse_count(client, country="Colombia (Republic)") == 1

    lighting.entries.clear()  # from the term's side: its entries are not named
    city("medellin").entries.add(second)
    assert_current()

    services.archive_entries(entries=Entry.objects.filter(pk=first.pk))
    assert_current()
    assert browse_count(client) == 1
    second.delete()
    assert_current()
    assert browse_count(client) == 0


@pytest.mark.parametrize("term_rows", [False, True], ids=["through the GIN index", "through term rows"])
def test_a_search_ranks_the_recent_matches_and_the_title_matches(client, monkeypatch, term_rows):
    """Past the window, the candidates ranked are the most recent matches and the title matches, whether
    the word is matched through the GIN index or has a term row (depository.models.TermPosting)."""
    old_title_match = make_entry("Lighting streets", summary="About lighting.")
    body_matches = [make_entry(f"Entry {number}", body="Street lighting plans.") for number in range(5)]
    make_entry("Unrelated", body="Youth councils.")
    search.flush()
    if term_rows:
        with connection.cursor() as cursor:
            cursor.execute("SELECT depository_search_rebuild_terms(1, 1000)")
        assert TermPosting.objects.filter(language="en", lexeme="light", size=6).exists()
    total, _, candidates, _ = facet_index.count(
        {},
        facet_index.PUBLISHED,
        text.matching_sql("lighting"),
        titles_sql=text.matching_ids_sql("lighting", titles=True),
        window=2,
    )
    assert total == 6
    newest_created = sorted(entry.pk for entry in body_matches)[-2:]
    assert candidates == sorted([old_title_match.pk, *newest_created])
    # The page ranks the candidates by the whole document's relevance: the title match first.
    monkeypatch.setattr(search, "RANK_WINDOW", 2)
    monkeypatch.setattr(search, "PAGE_SIZE", 1)
    page = client.get(reverse("depository:browse"), {"q": "lighting"}).context["page"]
    assert page.paginator.count == 6 and [entry.title for entry in page] == ["Lighting streets"]


def test_a_long_facet_lists_its_largest_counts_under_the_filters(client, monkeypatch):
    """Values whose arrays cannot reach the list are not counted; the list is still the largest counts."""
    monkeypatch.setattr(facets.by_name()["tag"], "limit", 2)
    for number in range(6):
        make_entry(f"Big {number}", themes=["lighting"] if number == 0 else ["youth"], tags=["big"])
    for number in range(3):
        make_entry(f"Mid {number}", themes=["lighting"], tags=["mid", "small"] if number < 2 else ["mid"])
    make_entry("Tiny", themes=["lighting"], tags=["tiny"])
    response = client.get(reverse("depository:browse"), {"theme": "lighting"})
    tags = next(item for item in response.context["facets"] if item["facet"].name == "tag")
    assert [(value.value, value.count) for value in tags["values"]] == [("mid", 3), ("small", 2)]


def test_entry_ids_past_the_bit_strings_length_lengthen_every_row(client):
    """The bit strings cover BIT_STEP ids at a time: an entry past the length pads every row first."""
    early = make_entry("Early lighting", themes=["lighting"], tags=["alpha"])
    assert_current()
    length = (early.pk // facet_index.BIT_STEP + 1) * facet_index.BIT_STEP  # the bit strings' length now
    assert FacetPosting.objects.get(facet="", value="").entry_bits == "0" * (early.pk - 1) + "1" + "0" * (
        length - early.pk
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [Entry._meta.db_table, length + 5])
    late = make_entry("Late lighting", themes=["lighting"], tags=["alpha"], violence_types=["organized"])
    assert late.pk > length > early.pk
    assert_current()
    assert FacetPosting.objects.get(facet="", value="").entry_ids == [early.pk, late.pk]
    assert browse_count(client, theme="lighting", tag="alpha") == 2
    assert browse_count(client, violence_type="organized") == 1
    assert browse_count(client, q="lighting") == 2
    response = client.get(reverse("depository:browse"), {"q": "lighting", "theme": "lighting", "sort": "newest"})
    newest_first = sorted([early, late], key=lambda entry: entry.published_at, reverse=True)
    assert [entry.pk for entry in response.context["page"]] == [entry.pk for entry in newest_first]
