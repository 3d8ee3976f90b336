"""The typology page's descriptions, the glossary, the Atom feed and the sitemap (the typology's evidence
and gap map: tests/test_depository_evidence_map.py)."""

import feedparser
import pytest
from django.urls import reverse

from depository.models import CityType, ViolenceType
from places.models import City
from tests.depository_helpers import journal_article, make_entry, term

pytestmark = pytest.mark.django_db


def test_typology_shows_descriptions_and_example_cities(client):
    conflict = term(CityType, "conflict", name="Conflict setting", description="Cities in armed conflict.")
    term(ViolenceType, "organized", name="Organized violence", description="Gangs and armed groups.")
    juba = City.objects.create(name="Juba", slug="juba", country="South Sudan")
    juba.city_types.add(conflict)
    content = client.get(reverse("depository:typology")).content.decode()
    assert "Cities in armed conflict." in content and "Gangs and armed groups." in content
    assert "Juba, South Sudan" in content


def test_glossary(client, twg_records):
    response = client.get(reverse("depository:glossary"))
    content = response.content.decode()
    for term_name in ("Nexus", "Confluence", "Overlap", "Integrated approach", "Complementarity", "Local"):
        assert f">{term_name}</dt>" in content
    assert "No working definition yet." in content  # the reports define some terms only


def test_atom_feed_parses_and_honours_the_filters(client):
    juba = make_entry("Gender-based violence in Juba", violence_types=["gender-based"], summary="Post-conflict.")
    make_entry("Organized crime in Medellin", violence_types=["organized"])
    make_entry("Draft about gender", status="draft", violence_types=["gender-based"])
    response = client.get(reverse("depository:feed"), {"violence_type": "gender-based"})
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.version == "atom10"
    assert [item.title for item in feed.entries] == ["Gender-based violence in Juba"]
    assert feed.entries[0].link == f"http://testserver{juba.get_absolute_url()}"
    assert feed.entries[0].summary == "Post-conflict."
    assert feed.feed.link.endswith("/depository/?violence_type=gender-based")
    everything = feedparser.parse(client.get(reverse("depository:feed")).content)
    assert len(everything.entries) == 2


def test_feed_with_malformed_filters_is_a_400(client, db):
    assert client.get(reverse("depository:feed"), {"year": "x"}).status_code == 400


def test_feed_query_count(client, django_assert_num_queries):
    # The search's count over the index (it tells how to fetch the rows), the entries, their creators
    # with the linked people.
    make_entry("One")
    with django_assert_num_queries(3):
        client.get(reverse("depository:feed"))
    make_entry("Two", authors="Pérez, Ana")
    make_entry("Three", authors="UN-Habitat")
    # + 2: the feed's counts were kept and are stale now, so the index's generation is read before
    # they are counted again (depository/search/counts_cache.py), and the facet rows' terms, kept at
    # the generation before, are read again (depository/search/facet_terms.py).
    with django_assert_num_queries(5):
        client.get(reverse("depository:feed"))
    with django_assert_num_queries(3):  # kept, and current: the generation's read replaces the count
        client.get(reverse("depository:feed"))


def test_sitemap_lists_public_pages_only(client):
    published = make_entry("Published", slug="published-entry")
    make_entry("Draft", slug="draft-entry", status="draft")
    content = client.get("/sitemap.xml").content.decode()
    assert f"http://testserver{published.get_absolute_url()}" in content
    assert "draft-entry" not in content
    for path in ("/depository/", "/depository/literature/", "/depository/typology/", "/depository/glossary/"):
        assert f"http://testserver{path}</loc>" in content


def test_the_literature_review_shows_the_abstract_until_an_annotation_and_the_citation_essentials(
    client, django_assert_num_queries
):
    article = journal_article()
    make_entry("A guidance note", kind="guidance", summary="The portal's own summary.", themes=["mediation"])
    # 1 themes with their parents, 1 their published literature, 1 its creators (with people), 1 the works
    # without a theme (none here): the record is columns of the work, no query per work.
    with django_assert_num_queries(4):
        content = client.get(reverse("depository:literature")).content.decode()
    item = content.split("Policing the periphery", 1)[1].split("</article>", 1)[0]
    assert "<cite>Journal of Urban Safety</cite>, volume 12, issue 3, pages 45-67 · Urban Press, Nairobi · 2019" in item
    assert '<div class="literature__abstract" lang="en" dir="ltr"><p>Residents of two peripheral districts' in item
    assert "The portal&#x27;s own summary." in content  # no abstract: the summary
    article.annotation = "Why the TWG reads it."
    article.save()
    item = client.get(reverse("depository:literature")).content.decode().split("Policing the periphery", 1)[1]
    item = item.split("</article>", 1)[0]
    assert "Why the TWG reads it." in item and "Residents of two peripheral districts" not in item
