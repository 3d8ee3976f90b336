"""Harvesting richer OAI-PMH metadata formats (issue 21; docs/harvesting.md, "Metadata formats"): an
organizer chooses a source's metadata prefix, checks which formats the repository offers, harvests
DataCite or MODS records, and the accepted entries carry what those formats say that Dublin Core
cannot (creators' ORCID iDs, the DOI, the abstract, subjects, the publisher). The repositories are
servers on a loopback port answering recorded responses (tests/fixtures/harvest/SOURCES.md)."""

import html

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from depository.models import Entry
from harvest.models import CandidateKind, HarvestCandidate, HarvestRun, RunStatus, Source
from harvest.services import run_harvest, start_run
from tests.harvest_helpers import XML, allow_loopback_sources, fixture

pytestmark = pytest.mark.django_db

CANNOT_DISSEMINATE = b"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-12-04T18:00:00Z</responseDate>
<request verb="ListRecords">http://repository.example.org/oai</request>
<error code="cannotDisseminateFormat">The metadata format identified by the value given for the
metadataPrefix argument is not supported by the item or by the repository.</error></OAI-PMH>"""


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    allow_loopback_sources(settings)


def repository(path, query):
    """A repository offering oai_dc, oai_datacite and mods (the recorded answers), as Zenodo and DSpace do."""
    if query.get("verb") == "ListMetadataFormats":
        return 200, XML, fixture("oai-ListMetadataFormats-zenodo.xml")
    if query.get("from"):
        return 200, XML, fixture("oai-noRecordsMatch.xml")
    answers = {
        "oai_datacite": "oai-datacite-ListRecords.xml",
        "mods": "oai-mods-ListRecords.xml",
        "marcxml": "oai-marcxml-ListRecords.xml",
    }
    if query.get("metadataPrefix") in answers:
        return 200, XML, fixture(answers[query["metadataPrefix"]])
    return 200, XML, CANNOT_DISSEMINATE


def add_source(organizer_client, server, prefix, name="Recorded repository"):
    response = organizer_client.post(
        reverse("admin:harvest_source_add"),
        {"kind": "oai", "name": name, "oai_base_url": f"{server.url}/oai", "oai_metadata_prefix": prefix},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return Source.objects.get(name=name)


def harvest_and_accept_all(organizer_client, source):
    run = start_run(source=source, enqueue=False)
    assert run_harvest(run) == RunStatus.DONE, HarvestRun.objects.get(pk=run.pk).error
    new = list(HarvestCandidate.objects.filter(run=run, kind=CandidateKind.NEW).values_list("pk", flat=True))
    response = organizer_client.post(
        reverse("admin:harvest_harvestcandidate_changelist"), {"action": "accept", "_selected_action": new}
    )
    assert response.status_code == 302
    return HarvestRun.objects.get(pk=run.pk)


def page_of(organizer_client, entry):
    response = organizer_client.get(entry.get_absolute_url())
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_datacite_source_harvests_creators_with_orcid_doi_abstract_subjects_and_publisher(organizer_client, server):
    server.set_route(repository)
    source = add_source(organizer_client, server, "oai_datacite")
    assert source.oai_metadata_prefix == "oai_datacite"

    run = harvest_and_accept_all(organizer_client, source)
    assert server.requests[0][1] == {"verb": "ListRecords", "metadataPrefix": "oai_datacite"}
    # Two readable records; the third's payload holds no DataCite resource: an error, the others go on.
    assert (run.records, run.new_count, run.error_count) == (3, 2, 1)
    error = HarvestCandidate.objects.get(kind=CandidateKind.ERROR)
    assert error.upstream_id == "oai:repository.example.org:1003"
    assert "This DataCite record could not be read" in error.reason and "<resource>" in error.reason

    entry = Entry.objects.get(doi="10.5072/example-full")
    assert entry.title == "Full DataCite XML Example: Demonstration of DataCite Properties."
    assert (entry.publisher, entry.year, entry.language, entry.item_type) == ("DataCite", 2014, "en", "software")
    assert entry.genre == "XML" and entry.external_url == "https://doi.org/10.5072/example-full"
    creators = [(c.role, c.display_name, c.orcid) for c in entry.creators_in_order()]
    assert creators == [
        ("author", "Elizabeth Miller", "0000-0001-5000-0007"),
        ("author", "Josiah Carberry", "0000-0002-1825-0097"),
        ("author", "The Psychoceramics Study Group", ""),
        ("contributor", "Joan Starr", "0000-0002-7285-027X"),
    ]
    # What has no column of its own is kept on the entry, as written (organizers see it).
    assert entry.other_variables["datacite:relatedIdentifier"][1] == "IsReviewedBy arXiv: arXiv:0706.0001"
    assert entry.other_variables["datacite:affiliation"][1] == "Carberry, Josiah: Brown University; Wesleyan University"

    page = page_of(organizer_client, entry)
    assert (
        '<a href="https://orcid.org/0000-0002-1825-0097" title="ORCID 0000-0002-1825-0097">Josiah Carberry</a>' in page
    )
    assert "10.5072/example-full" in page  # the DOI
    assert "XML example of all DataCite Metadata Schema v4.4 properties." in page  # the abstract
    assert "computer science" in page  # the subject, a keyword
    assert "DataCite" in page and 'content="DataCite"' in page  # the publisher (citation_publisher)

    other = Entry.objects.get(doi="10.82433/v14f-gk24")
    assert other.item_type == "speech" and other.publisher == "International Metadata Forum"
    assert (
        other.date_issued.isoformat() == "2025-08-11"
        and other.rights == "Creative Commons Attribution 4.0 International"
    )


def test_a_mods_source_harvests_names_roles_origin_subjects_and_identifiers(organizer_client, server):
    server.set_route(repository)
    source = add_source(organizer_client, server, "mods")
    run = harvest_and_accept_all(organizer_client, source)
    assert server.requests[0][1]["metadataPrefix"] == "mods"
    assert (run.records, run.new_count, run.error_count) == (3, 3, 0)

    # Recorded DSpace records (University of Tennessee), as their MODS says them.
    carter = Entry.objects.get(doi="10.7290/v79g5jr7")
    assert [c.display_name for c in carter.creators_in_order()] == ["Evin Timothy Carter"]
    assert "invasive species" in {tag.name for tag in carter.tags.all()}
    migration = Entry.objects.get(doi="10.7290/v7d798bk")
    assert migration.language == "en" and migration.rights.startswith("The publicly available files")
    assert migration.other_variables["mods:geographic"] == ["Oslo (Norway)", "Stavanger (Norway)"]

    guide = Entry.objects.get(doi="10.5555/safety-audit-2019")
    assert guide.title == "The safety audit in practice: a field guide for cities"
    assert (guide.publisher, guide.publisher_place, guide.item_type) == ("Example University Press", "Geneva", "report")
    assert guide.date_issued.isoformat() == "2019-06-01" and guide.external_url.endswith("/handle/20.500.12345/678")
    creators = [(c.role, c.display_name, c.orcid) for c in guide.creators_in_order()]
    assert creators == [
        ("author", "Caroline Moser", "0000-0002-1825-0097"),
        ("editor", "Urban Violence Observatory", ""),
    ]
    page = page_of(organizer_client, guide)
    assert (
        '<a href="https://orcid.org/0000-0002-1825-0097" title="ORCID 0000-0002-1825-0097">Caroline Moser</a>' in page
    )
    assert "How cities run a women's safety audit, step by step." in page and "safety audits" in page
    assert "10.5555/safety-audit-2019" in page and "Example University Press" in page


def messages_of(response):
    """The messages the action left (not the "was added successfully" of the sources' creation)."""
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request) if "added successfully" not in str(m)]


def test_check_formats_shows_what_the_repository_offers_and_whether_the_prefix_is_one(organizer_client, server):
    server.set_route(repository)
    zenodo = add_source(organizer_client, server, "oai_datacite", name="Zenodo (recorded)")
    wrong = add_source(organizer_client, server, "mods", name="Asks for MODS")
    response = organizer_client.post(
        reverse("admin:harvest_source_changelist"),
        {"action": "check_formats", "_selected_action": [zenodo.pk, wrong.pk]},
        follow=True,
    )
    assert response.status_code == 200
    shown = {text.split(" offers:")[0]: (level, text) for level, text in messages_of(response)}
    level, text = shown["Zenodo (recorded)"]
    assert level == "success"
    assert "oai_dc (Dublin Core); dcat (not read by the portal)" in text
    assert "datacite (DataCite); oai_datacite (DataCite)" in text and "marcxml (MARCXML)" in text
    assert text.endswith("This source harvests oai_datacite.")
    level, text = shown["Asks for MODS"]
    assert level == "warning" and "asks for mods, which the repository does not offer" in text
    assert [query["verb"] for _path, query, _headers in server.requests] == ["ListMetadataFormats"] * 2
    assert "Zenodo (recorded) offers" in html.unescape(response.content.decode())  # shown on the page


def test_check_formats_says_clearly_when_the_repository_fails(organizer_client, server):
    source = add_source(organizer_client, server, "oai_dc")
    server.set_route(lambda path, query: (500, {"Content-Type": "text/plain"}, b"down"))
    response = organizer_client.post(
        reverse("admin:harvest_source_changelist"),
        {"action": "check_formats", "_selected_action": [source.pk]},
        follow=True,
    )
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert text.startswith("Recorded repository: the formats could not be listed:") and "HTTP 500" in text

    server.set_route(lambda path, query: (200, {"Content-Type": "text/html"}, b"<html><body>Hello</body></html>"))
    response = organizer_client.post(
        reverse("admin:harvest_source_changelist"),
        {"action": "check_formats", "_selected_action": [source.pk]},
        follow=True,
    )
    [(level, text)] = messages_of(response)
    assert level == "error" and "not OAI-PMH" in text


def test_a_prefix_outside_the_protocols_characters_is_refused_and_blank_means_oai_dc(organizer_client, server):
    response = organizer_client.post(
        reverse("admin:harvest_source_add"),
        {"kind": "oai", "name": "Bad prefix", "oai_base_url": f"{server.url}/oai", "oai_metadata_prefix": "oai dc"},
    )
    assert response.status_code == 200
    assert "A metadata prefix is letters, digits" in html.unescape(response.content.decode())
    assert not Source.objects.exists()
    assert add_source(organizer_client, server, "").oai_metadata_prefix == "oai_dc"


def test_a_prefix_the_repository_cannot_disseminate_fails_the_run_with_its_message(organizer_client, server):
    server.set_route(repository)
    source = add_source(organizer_client, server, "marc21")
    run = start_run(source=source, enqueue=False)
    assert run_harvest(run) == RunStatus.FAILED
    run.refresh_from_db()
    assert "CannotDisseminateFormat" in run.error and not HarvestCandidate.objects.exists()


def test_a_record_in_a_format_the_portal_does_not_read_is_an_error_candidate(organizer_client, server):
    xmetadiss = fixture("oai-datacite-ListRecords.xml").replace(
        b"http://schema.datacite.org/oai/oai-1.1/", b"http://www.d-nb.de/standards/xmetadissplus"
    )
    server.set_route(lambda path, query: (200, XML, xmetadiss))
    source = add_source(organizer_client, server, "xMetaDissPlus")
    run = start_run(source=source, enqueue=False)
    assert run_harvest(run) == RunStatus.DONE
    reasons = set(HarvestCandidate.objects.values_list("reason", flat=True))
    assert reasons == {
        "The metadata are in http://www.d-nb.de/standards/xmetadissplus, a format the portal does not read "
        "(it reads Dublin Core, DataCite, MODS, MARCXML)."
    }


def test_a_marcxml_source_harvests_library_records(organizer_client, server):
    server.set_route(repository)
    source = add_source(organizer_client, server, "marcxml")
    run = harvest_and_accept_all(organizer_client, source)
    assert server.requests[0][1]["metadataPrefix"] == "marcxml"
    # The fourth record's leader is no MARC leader: pymarc refuses it, an error candidate; the others go on.
    assert (run.records, run.new_count, run.error_count) == (4, 3, 1)
    error = HarvestCandidate.objects.get(kind=CandidateKind.ERROR)
    assert error.upstream_id == "oai:repository.example.org:broken"
    assert error.reason.startswith("This MARCXML record could not be read: not MARC 21")

    # The Library of Congress's records (pymarc's test data), ISBD punctuation taken off.
    ray = Entry.objects.get(title="The Great Ray Charles")
    assert (ray.item_type, ray.publisher, ray.publisher_place, ray.year) == ("song", "Atlantic", "New York, N.Y.", 1957)
    assert [(c.role, c.display_name) for c in ray.creators_in_order()] == [("performer", "Ray Charles")]
    assert {tag.name for tag in ray.tags.all()} == {"Jazz -- 1951-1960", "Piano with jazz ensemble"}
    white_house = Entry.objects.get(title="The White House")
    assert white_house.external_url == "http://www.whitehouse.gov" and white_house.abstract.endswith("for Kids.")

    report = Entry.objects.get(doi="10.5555/urban-safety-2021")
    assert report.title == "Safer cities: a review of urban violence prevention"
    assert (report.publisher, report.publisher_place, report.year) == ("Example Institute", "Geneva", 2021)
    assert (report.item_type, report.genre, report.collection_title) == ("book", "Working paper", "Working papers")
    assert report.external_url == "https://repository.example.org/handle/20.500.12345/99"
    creators = [(c.role, c.display_name, c.orcid) for c in report.creators_in_order()]
    assert creators == [("author", "Josiah Carberry", "0000-0002-1825-0097")]
    page = page_of(organizer_client, report)
    assert (
        '<a href="https://orcid.org/0000-0002-1825-0097" title="ORCID 0000-0002-1825-0097">Josiah Carberry</a>' in page
    )
    assert "Reviews what city governments have learned about preventing urban violence." in page
    assert "Violence -- Prevention" in page and "urban safety" in page


def test_a_bare_datacite_resource_reads_as_the_wrapped_one():
    """Zenodo's `datacite` prefix sends the <resource> itself, `oai_datacite` wraps it: one mapping."""
    from lxml import etree

    from harvest.formats import datacite_item, metadata_root, schema_of

    answer = etree.fromstring(fixture("oai-datacite-ListRecords.xml"))
    wrapped = metadata_root(next(answer.iter("{http://www.openarchives.org/OAI/2.0/}record")))
    bare = next(wrapped.iter("{http://datacite.org/schema/kernel-4}resource"))
    assert schema_of(etree.QName(wrapped).namespace) == schema_of(etree.QName(bare).namespace) == "datacite"
    assert datacite_item("x", bare) == datacite_item("x", wrapped)
    item, files = datacite_item("x", bare)
    assert item["author"][1] == {
        "family": "Carberry",
        "given": "Josiah",
        "ORCID": "https://orcid.org/0000-0002-1825-0097",
        "affiliation": [{"name": "Brown University"}, {"name": "Wesleyan University"}],
    }
    assert files == []
