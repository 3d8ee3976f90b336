"""The evidence and gap map (the typology page, issue 21): themes by city types or violence types, each
cell's count, strongest evidence and link to exactly the entries counted."""

import random
import re
from html import unescape

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from depository.models import CityType, Entry, Theme, ViolenceType
from tests.depository_helpers import make_entry, term, theme

pytestmark = pytest.mark.django_db
CELL = re.compile(r'<a class="gapmap__cell" href="([^"]+)" title="([^"]+)">')


@pytest.fixture
def classified(organizer_client):
    """A depository classified through the admin's bulk action, as organizers do it: 24 entries of
    three kinds and years, some drafts; themes (one with a sub-theme), city types, violence types and
    evidence levels set in a few actions over random selections."""
    rng = random.Random(21)
    prevention = theme("prevention")
    youth = theme("youth", parent="prevention")
    lighting = theme("lighting")
    theme("unused-theme")  # a whole row of gaps
    city_types = [term(CityType, slug) for slug in ("capital", "informal-settlements", "port")]
    violence_types = [term(ViolenceType, slug) for slug in ("gang", "domestic")]
    entries = [
        make_entry(
            f"Entry {n}",
            kind=["tool", "publication", "case_study"][n % 3],
            year=2010 + n % 8,
            status="draft" if n % 6 == 0 else "published",
        )
        for n in range(24)
    ]
    url = reverse("admin:depository_entry_changelist")
    for terms_field, vocabulary in [
        ("themes", [prevention, youth, lighting]),
        ("city_types", city_types),
        ("violence_types", violence_types),
    ]:
        for chosen in vocabulary:
            selection = rng.sample(entries, 9)
            response = organizer_client.post(
                url,
                {
                    "action": "classify",
                    ACTION_CHECKBOX_NAME: [e.pk for e in selection],
                    "apply": "1",
                    f"{terms_field}_mode": "add",
                    terms_field: [chosen.pk],
                },
            )
            assert response.status_code == 302
    for level in ("anecdotal", "documented", "evaluated"):
        selection = rng.sample(entries, 6)
        data = {"action": "classify", ACTION_CHECKBOX_NAME: [e.pk for e in selection], "apply": "1"}
        assert organizer_client.post(url, {**data, "evidence_level": level}).status_code == 302
    organizer_client.logout()
    return entries


def cells(content):
    """{link: title} of the map's non-empty cells."""
    return {unescape(href): title for href, title in CELL.findall(content)}


def expected_cells(params, column_relation):
    """What a brute force over the published entries gives: {(theme slug, column slug): (count, strongest)}."""
    order = ["evaluated", "documented", "anecdotal"]
    found = {}
    entries = Entry.objects.published().prefetch_related("themes__parent", column_relation)
    for entry in entries:
        if "kind" in params and entry.kind != params["kind"]:
            continue
        if "year_from" in params and (entry.year or 0) < int(params["year_from"]):
            continue
        themes = {t.slug for t in entry.themes.all()} | {t.parent.slug for t in entry.themes.all() if t.parent}
        for theme_slug in themes:
            for column in getattr(entry, column_relation).all():
                count, levels = found.get((theme_slug, column.slug), (0, set()))
                found[(theme_slug, column.slug)] = (count + 1, levels | {entry.evidence_level})
    return {
        key: (count, next((level for level in order if level in levels), "")) for key, (count, levels) in found.items()
    }


@pytest.mark.parametrize(
    ("params", "relation"),
    [
        ({}, "city_types"),
        ({"columns": "violence_type"}, "violence_types"),
        ({"kind": "publication", "year_from": "2012"}, "city_types"),
    ],
)
def test_each_cell_counts_and_links_to_exactly_the_entries_counted(
    classified, params, relation, django_assert_num_queries
):
    visitor = Client()
    # 1 the city types, 1 their example cities, 1 the violence types, 1 the themes, 1 every cell (one
    # statement over the facet index), 1 the inception report's example groups.
    with django_assert_num_queries(6):
        response = visitor.get(reverse("depository:typology"), params)
    assert response.status_code == 200
    shown = cells(response.content.decode())
    expected = expected_cells(params, relation)
    assert len(shown) == len(expected) > 3
    column = "violence_type" if relation == "violence_types" else "city_type"
    for link, title in shown.items():
        query = dict(pair.split("=") for pair in link.split("?", 1)[1].split("&"))
        count, strongest = expected[(query["theme"], query[column])]
        assert title == f"{count} entr{'y' if count == 1 else 'ies'}, " + (
            f"strongest evidence: {strongest.capitalize()}" if strongest else "evidence not assessed"
        )
        # The filters are carried into the link; the browse page lists exactly the entries counted.
        assert {k: v for k, v in query.items() if k not in ("theme", column)} == {
            k: v for k, v in params.items() if k != "columns"
        }
        listed = visitor.get(link).context["page"]
        assert listed.paginator.count == count
        theme_slugs = {
            query["theme"],
            *Theme.objects.filter(parent__slug=query["theme"]).values_list("slug", flat=True),
        }
        assert {e.pk for e in listed} == set(
            Entry.objects.published()
            .filter(themes__slug__in=theme_slugs, **{f"{relation}__slug": query[column]})
            .filter(**({"kind": params["kind"], "year__gte": params["year_from"]} if "kind" in params else {}))
            .values_list("pk", flat=True)
        )
    # Gaps are shown as gaps, as many as the empty cells.
    table = response.content.decode().split("<table", 1)[1]
    themes, columns = Theme.objects.count(), (ViolenceType if column == "violence_type" else CityType).objects.count()
    assert table.count('class="gapmap__gap"') == themes * columns - len(shown) > 0
    assert table.count("no entries: a gap") == themes * columns - len(shown)


def test_the_query_count_does_not_grow_with_the_entries(client, django_assert_num_queries):
    make_entry("One", themes=["prevention"], city_types=["capital"])
    with django_assert_num_queries(6):
        client.get(reverse("depository:typology"))
    for n in range(10):
        make_entry(f"More {n}", themes=[f"theme-{n}"], city_types=[f"type-{n}"], evidence_level="documented")
    with django_assert_num_queries(6):
        client.get(reverse("depository:typology"))


def test_drafts_are_counted_for_organizers_only(client, organizer_client):
    make_entry("Draft", status="draft", themes=["prevention"], city_types=["capital"])
    assert cells(Client().get(reverse("depository:typology")).content.decode()) == {}
    shown = cells(organizer_client.get(reverse("depository:typology")).content.decode())
    assert shown == {"/depository/?theme=prevention&city_type=capital": "1 entry, evidence not assessed"}


def test_the_map_is_a_table_for_screen_readers_in_every_language(client):
    prevention = theme("prevention")
    prevention.name_ar = "الوقاية"
    prevention.save()
    make_entry("One", themes=["prevention"], city_types=["capital"], evidence_level="evaluated")
    content = client.get(reverse("depository:typology")).content.decode()
    assert "<caption" in content and '<th scope="col">' in content and '<th scope="row">' in content
    assert '1<span class="visually-hidden"> entry, strongest evidence: Evaluated</span>' in content
    for language in ("es", "fr", "ar"):
        response = client.get(f"/{language}/depository/typology/")
        assert response.status_code == 200
        assert f'lang="{language}"' in response.content.decode()
    arabic = client.get("/ar/depository/typology/").content.decode()
    assert 'dir="rtl"' in arabic and ">الوقاية</a></th>" in arabic
    assert 'href="/ar/depository/?theme=prevention&amp;city_type=capital"' in arabic


def test_the_forms_blank_choices_filter_nothing(client, db):
    make_entry("One", themes=["prevention"], city_types=["capital"])
    blank = {"columns": "city_type", "kind": "", "language": "", "year_from": "", "year_to": ""}
    response = client.get(reverse("depository:typology"), blank)
    assert response.status_code == 200
    assert cells(response.content.decode()) == {
        "/depository/?theme=prevention&city_type=capital": "1 entry, evidence not assessed"
    }


def test_malformed_filters_are_a_400_saying_why(client, db):
    response = client.get(reverse("depository:typology"), {"year_from": "x", "kind": "nonsense"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
