"""The JSON API at /api/: every response is validated against the OpenAPI document the API publishes
at /api/openapi.json (openapi-core), through the real views and database."""

from datetime import date

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from core import ratelimits
from depository.models import Entry, GlossaryTerm
from depository.services import archive_entries
from meetings.models import Meeting
from people.models import Disclosure, Person
from tests.depository_helpers import attach, make_entry, theme


@pytest.fixture(autouse=True)
def site_url(settings, db):
    settings.SITE_URL = "http://127.0.0.1:8000"


# Every request counts one hit of its client address in the throttle's table (core/ratelimits.py).
THROTTLE = 1


@pytest.fixture
def openapi(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return OpenAPI.from_dict(response.json())


@pytest.fixture
def call(client, openapi):
    """GET a path; the response must be one the OpenAPI document describes."""

    def get(path, status=200, **environ):
        response = client.get(path, **environ)
        assert response.status_code == status, response.content
        if status != 304:
            openapi.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response))
        return response

    return get


@pytest.fixture
def depository(db, media_roots):
    # Known before the entry: its creator "Hidden Person" is linked to them, so disclosure applies.
    Person.objects.create(name="Hidden Person", slug="hidden", disclosure=Disclosure.ORGANIZERS)
    report = make_entry(
        "Safer cities toolkit",
        kind="publication",
        authors="Connolly, David; Hidden Person; UN-Habitat",
        year=2019,
        summary="How cities prevent violence.",
        external_url="https://doi.org/10.1234/ABC.5",
        doi="10.1234/abc.5",  # the admin's clean() derives it from the link; create() does not
        themes=[theme("youth", parent="prevention")],
        city_types=["capital"],
        tags=["policing"],
    )
    attach(report, name="public.pdf")
    attach(report, name="private.pdf", is_public=False)
    make_entry("Mediation guide", kind="guidance", themes=["mediation"], year=2021)
    make_entry("Observatory review", kind="publication", year=2021)
    make_entry("Unpublished notes", status="draft")
    withdrawn = make_entry("Withdrawn study", kind="case_study")
    archive_entries(entries=Entry.objects.filter(pk=withdrawn.pk))
    meeting = Meeting.objects.create(name="Inception meeting", slug="inception", number=0, start_date=date(2015, 5, 4))
    meeting.related_entries.add(report)
    GlossaryTerm.objects.create(term="Urban violence", slug="urban-violence", definition="Violence in cities.")
    return report


def test_the_openapi_document_describes_every_operation(client, db):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/",
        "/api/entries",
        "/api/entries/{slug}",
        "/api/meetings",
        "/api/glossary",
        "/api/vocabularies",
    }


def test_entries_with_facet_counts(call, depository, django_assert_num_queries):
    # The facet index, the page of entries, their themes, people named as authors, the last change:
    # none of them prepared as the browse page's rows are (each page size would be a new statement).
    with django_assert_num_queries(THROTTLE + 5) as queries:
        body = call("/api/entries?limit=2").json()
    assert not [query for query in queries.captured_queries if "twg_page_" in query["sql"]]
    assert body["count"] == 3
    # Newest works first (2021, 2021, 2019); of the two 2021 works, the one added last first.
    assert [entry["title"] for entry in body["results"]] == ["Mediation guide", "Observatory review"]
    kinds = {
        value["value"]: value["count"]
        for facet in body["facets"]
        if facet["name"] == "kind"
        for value in facet["values"]
    }
    assert kinds["publication"] == 2
    assert kinds["guidance"] == 1
    (first,) = call("/api/entries?page=2&limit=2").json()["results"]
    assert [creator["name"] for creator in first["creators"]] == ["Connolly, David", "UN-Habitat"]
    assert first["creators"][0] | {} == {
        "name": "Connolly, David",
        "family": "Connolly",
        "given": "David",
        "kind": "person",
    }
    assert first["url"] == f"http://127.0.0.1:8000/api/entries/{depository.slug}"


def test_entries_filtered_and_searched_like_the_browse_page(call, depository):
    body = call("/api/entries?kind=publication&year=2021").json()
    assert [entry["title"] for entry in body["results"]] == ["Observatory review"]
    body = call("/api/entries?theme=prevention").json()
    assert [entry["title"] for entry in body["results"]] == ["Safer cities toolkit"]
    body = call("/api/entries?q=mediation").json()
    assert [entry["title"] for entry in body["results"]] == ["Mediation guide"]
    body = call("/api/entries?page=2&limit=2").json()
    assert [entry["title"] for entry in body["results"]] == ["Safer cities toolkit"]
    assert call("/api/entries?page=9&limit=2").json()["results"] == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("year=nineteen", "year"),
        ("kind=spaceship", "kind"),
        ("sort=random", "sort"),
        ("q=" + "x" * 5000, "q"),
    ],
)
def test_bad_parameters_are_a_clear_400(call, depository, query, message):
    body = call(f"/api/entries?{query}", status=400).json()
    assert message in body["detail"]


def test_one_entry_with_creators_identifiers_public_files_and_meetings(call, depository, django_assert_num_queries):
    # The entry, 8 prefetches, people named as authors.
    with django_assert_num_queries(THROTTLE + 10):
        body = call(f"/api/entries/{depository.slug}").json()
    assert body["identifiers"] == [{"scheme": "doi", "value": "10.1234/abc.5", "uri": "https://doi.org/10.1234/abc.5"}]
    assert [file["name"] for file in body["files"]] == ["public.pdf"]
    assert body["files"][0]["url"].startswith(f"http://127.0.0.1:8000/depository/{depository.slug}/files/")
    assert [meeting["slug"] for meeting in body["meetings"]] == ["inception"]
    assert [term["slug"] for term in body["city_types"]] == ["capital"]
    assert "Hidden Person" not in str(body)


def test_one_entry_carries_its_whole_bibliographic_record(call, db, django_assert_num_queries):
    """Issue 20: the record's fields, and the whole CSL-JSON item (the public's: no notes, no fields kept from
    a reference manager), for the same number of queries as any entry."""
    import json
    from pathlib import Path

    import jsonschema

    from tests.depository_helpers import journal_article

    entry = journal_article(rights="CC BY 4.0")
    with django_assert_num_queries(THROTTLE + 10):
        body = call(f"/api/entries/{entry.slug}").json()
    assert body["item_type"] == "article-journal" and body["container_title"] == "Journal of Urban Safety"
    assert (body["volume"], body["issue"], body["page"], body["date_issued"]) == ("12", "3", "45-67", "2019-03")
    assert body["publisher_place"] == "Nairobi" and body["abstract"].startswith("Residents of two")
    csl = body["csl"]
    assert csl["container-title"] == "Journal of Urban Safety" and csl["PMID"] == "31234567"
    assert csl["author"] == [{"family": "Pérez", "given": "Ana"}, {"family": "Smith", "given": "John"}]
    schema = json.loads((Path(__file__).parent / "fixtures" / "csl" / "csl-data.json").read_text())
    jsonschema.validate([csl], schema)
    assert "Checked against" not in str(body) and "Field notes" not in str(body)


def test_unpublished_and_withdrawn_entries_are_not_found(call, depository):
    for entry in Entry.objects.exclude(status="published"):
        assert call(f"/api/entries/{entry.slug}", status=404).json()["detail"]
    # Not slugs: no entry (a NUL once reached PostgreSQL, which refuses it: found by hypothesis).
    for path in ["a%00b", "caf%C3%A9", "%F0%9F%98%80"]:
        assert call(f"/api/entries/{path}", status=404).json()["detail"]


def test_conditional_get_answers_304(call, depository):
    response = call(f"/api/entries/{depository.slug}")
    assert response["ETag"]
    assert response["Last-Modified"]
    call(f"/api/entries/{depository.slug}", status=304, HTTP_IF_NONE_MATCH=response["ETag"])
    call(f"/api/entries/{depository.slug}", status=304, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    listing = call("/api/entries")
    call("/api/entries", status=304, HTTP_IF_NONE_MATCH=listing["ETag"])
    Entry.objects.filter(pk=depository.pk).update(title="Renamed")
    call(f"/api/entries/{depository.slug}", status=200, HTTP_IF_NONE_MATCH=response["ETag"])


def test_meetings_glossary_and_vocabularies(call, depository, django_assert_num_queries):
    with django_assert_num_queries(THROTTLE):
        assert call("/api/").json()["oai_pmh"] == "http://127.0.0.1:8000/oai/"
    with django_assert_num_queries(THROTTLE + 1):
        assert [meeting["name"] for meeting in call("/api/meetings").json()] == ["Inception meeting"]
    with django_assert_num_queries(THROTTLE + 1):
        glossary = call("/api/glossary").json()
    assert glossary == [
        {"slug": "urban-violence", "term": "Urban violence", "definition": "Violence in cities.", "usage_notes": ""}
    ]
    with django_assert_num_queries(THROTTLE + 3):
        body = call("/api/vocabularies").json()
    assert {"slug": "youth", "name": "Youth", "parent": "prevention"} in body["themes"]
    assert {"value": "publication", "label": "Publication"} in body["kinds"]


def test_each_client_address_is_throttled(call, depository, settings):
    from portal.api import api

    throttle = api.throttle[0]
    throttle.rate = ratelimits.parse_rate("2/h")
    try:
        call("/api/vocabularies")
        call("/api/vocabularies")
        refused = call("/api/vocabularies", status=429)
        assert refused.json()["detail"]
        assert 0 < int(refused["Retry-After"]) <= 3600
        call("/api/vocabularies", REMOTE_ADDR="10.0.0.9")
    finally:
        throttle.rate = ratelimits.parse_rate(settings.API_THROTTLE_RATE)


def test_the_about_page_points_harvesters_and_clients_here(client, db):
    page = client.get("/about/").content.decode()
    assert 'href="/oai/?verb=Identify"' in page
    assert 'href="/api/openapi.json"' in page


@pytest.mark.parametrize("query", ["", "kind=publication", "q=cities", "theme=prevention&year=2019", "year=2021"])
def test_results_and_counts_are_the_browse_pages(call, client, depository, query):
    page = client.get(f"/depository/?{query}")
    body = call(f"/api/entries?{query}").json()
    assert body["count"] == page.context["page"].paginator.count
    assert [entry["slug"] for entry in body["results"]] == [entry.slug for entry in page.context["page"].object_list]
    browse = {
        (item["facet"].name, value.value): value.count for item in page.context["facets"] for value in item["values"]
    }
    api = {(facet["name"], value["value"]): value["count"] for facet in body["facets"] for value in facet["values"]}
    assert api == browse
