"""A facet is one declaration (issue 19): added to settings.DEPOSITORY_FACETS, it is counted, filtered
and shown on the browse page, over entries written before and after it was declared, with the page's
query count unchanged; without it, nothing of it remains."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from depository import facets
from depository.models import Creator, CreatorKind, Entry
from depository.search import facet_values
from tests.depository_helpers import make_entry

pytestmark = pytest.mark.django_db

WITH_EXTRA_FACETS = [*settings.DEPOSITORY_FACETS, "tests.extra_facets.PUBLISHER", "tests.extra_facets.CREATOR_KIND"]


def shown(response):
    """{facet name: {value: count}} of the listing the page rendered."""
    return {item["facet"].name: {v.value: v.count for v in item["values"]} for item in response.context["facets"]}


def test_a_declared_facet_is_counted_filtered_and_shown(client, django_assert_num_queries):
    make_entry("Urban safety", publisher="UN-Habitat")
    make_entry("Safer cities", publisher="UN-Habitat", themes=["safety"])
    make_entry("Violence and cities", publisher="World Bank")
    make_entry("Draft", publisher="World Bank", status="draft")
    url = reverse("depository:browse")
    with override_settings(DEPOSITORY_FACETS=WITH_EXTRA_FACETS):
        # 1 the number of results and all facets' counts, 1 the page of entries with their themes: as before.
        with django_assert_num_queries(2):
            response = client.get(url)
        assert shown(response)["publisher"] == {"UN-Habitat": 2, "World Bank": 1}  # the draft is not counted
        content = response.content.decode()
        assert "<legend>Publisher</legend>" in content
        assert (
            '<li><label><input type="checkbox" name="publisher" value="UN-Habitat"> '
            'UN-Habitat <span class="facet__count">(2)</span></label></li>'
        ) in content

        with django_assert_num_queries(2):
            response = client.get(url, {"publisher": "World Bank"})
        assert [entry.title for entry in response.context["page"]] == ["Violence and cities"]
        # Counts are disjunctive: the facet's other value still shows what choosing it would add.
        assert shown(response)["publisher"] == {"UN-Habitat": 2, "World Bank": 1}
        assert shown(response)["theme"].get("safety", 0) == 0
        content = response.content.decode()
        assert 'name="publisher" value="World Bank" checked' in content
        assert "Publisher: World Bank" in content  # the chip that removes the filter

        # ANDed with the other facets; an entry written now is counted at its commit.
        make_entry("Safety audits", publisher="World Bank", themes=["safety"])
        response = client.get(url, {"publisher": "World Bank", "theme": "safety"})
        assert [entry.title for entry in response.context["page"]] == ["Safety audits"]
        Entry.objects.filter(title="Urban safety").update(publisher="World Bank")
        assert shown(client.get(url))["publisher"] == {"World Bank": 3, "UN-Habitat": 1}

        # A malformed value is a 400, as for every facet.
        assert client.get(url, {"publisher": "<script>"}).status_code == 400


def test_a_facet_over_an_unwatched_relation_follows_its_writes(client):
    report = make_entry("Report", authors="Moser, Caroline")
    make_entry("Guide", authors="UN-Habitat")
    url = reverse("depository:browse")
    with override_settings(DEPOSITORY_FACETS=WITH_EXTRA_FACETS):
        response = client.get(url)
        assert shown(response)["creator_kind"] == {"person": 1, "organization": 1}
        assert "<legend>Kind of creator</legend>" in response.content.decode()
        # depository_creator was not watched: the declaration's `watch` gave it the change queue's triggers.
        Creator.objects.filter(entry=report).update(
            kind=CreatorKind.ORGANIZATION, name="Moser Institute", family="", given=""
        )
        response = client.get(url, {"creator_kind": "organization"})
        assert sorted(entry.title for entry in response.context["page"]) == ["Guide", "Report"]
        assert shown(response)["creator_kind"] == {"person": 0, "organization": 2}
        # A value outside the choices is malformed input.
        assert client.get(url, {"creator_kind": "robot"}).status_code == 400


def test_without_the_declaration_nothing_of_the_facet_remains(client):
    make_entry("Urban safety", publisher="UN-Habitat")
    url = reverse("depository:browse")
    with override_settings(DEPOSITORY_FACETS=WITH_EXTRA_FACETS):
        assert "publisher" in shown(client.get(url))
    response = client.get(url, {"publisher": "UN-Habitat"})
    assert "publisher" not in shown(response)
    assert [entry.title for entry in response.context["page"]] == ["Urban safety"]  # an unknown parameter
    assert "Publisher" not in response.content.decode()
    with connection.cursor() as cursor:
        assert "publisher" not in facet_values.installed_body(cursor)
        cursor.execute("SELECT count(*) FROM depository_facetposting WHERE facet = 'publisher' AND size > 0")
        assert cursor.fetchone()[0] == 0


def test_the_installed_function_is_the_registry_s(client):
    """What `migrate` installed is what the default registry generates: nothing to redo at start."""
    with connection.cursor() as cursor:
        assert facet_values.installed_body(cursor) == facet_values.function_body(facets.registered())
    assert facet_values.install() is False
