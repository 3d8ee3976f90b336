"""OAI-PMH 2.0 at /oai/: every response is validated against the OAI-PMH and oai_dc XML Schemas
shipped in depository/oai/schemas/, and a real harvester (Sickle) walks the resumption tokens."""

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from lxml import etree
from sickle import Sickle
from sickle.iterator import OAIResponseIterator

from depository.models import Entry
from depository.services import archive_entries
from people.models import Disclosure, Person
from tests.depository_helpers import journal_article, make_entry, theme

SCHEMAS = Path(__file__).resolve().parent.parent / "depository" / "oai" / "schemas"
SCHEMA = etree.XMLSchema(etree.parse(str(SCHEMAS / "responses.xsd")))
NS = {"oai": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/"}


def oai(client, method="get", **arguments):
    """The parsed response to these arguments, after checking it against the XML Schemas."""
    response = getattr(client, method)("/oai/", arguments)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    tree = etree.fromstring(response.content)
    SCHEMA.assertValid(tree)
    return tree


def error_code(tree):
    return [element.get("code") for element in tree.findall("oai:error", NS)]


def texts(tree, path):
    return [element.text for element in tree.xpath(path, namespaces=NS)]


def identifier(entry):
    return f"oai:127.0.0.1:entries/{entry.pk}"


def set_datestamp(entry, moment):
    Entry.objects.filter(pk=entry.pk).update(updated_at=moment)


@pytest.fixture
def oai_settings(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.OAI_PAGE_SIZE = 2
    return settings


@pytest.fixture
def library(db, oai_settings):
    """Three published entries, one draft never published, one withdrawn after publication."""
    theme("prevention")
    # Known before the entry: its creator "Hidden Person" is linked to them, so disclosure applies.
    Person.objects.create(name="Hidden Person", slug="hidden", disclosure=Disclosure.MEMBERS)
    first = make_entry(
        "Safer cities toolkit",
        kind="publication",
        authors="Connolly, David; Hidden Person",
        year=2019,
        publisher="UN-Habitat",
        summary="How cities\x0b prevent violence.",
        external_url="https://doi.org/10.1234/ABC.5",
        doi="10.1234/abc.5",  # the admin's clean() derives it from the link; create() does not
        themes=[theme("youth", parent="prevention")],
        tags=["policing"],
    )
    second = make_entry("Mediation guide", kind="guidance", themes=["mediation"])
    third = make_entry("Observatory review", kind="publication")
    draft = make_entry("Unpublished notes", status="draft")
    withdrawn = make_entry("Withdrawn study", kind="case_study")
    archive_entries(entries=Entry.objects.filter(pk=withdrawn.pk))
    moments = [datetime(2026, 1, day, 12, 0, 0, 500_000, tzinfo=UTC) for day in range(1, 6)]
    for entry, moment in zip([first, second, third, draft, withdrawn], moments, strict=True):
        set_datestamp(entry, moment)
    return {"first": first, "second": second, "third": third, "draft": draft, "withdrawn": withdrawn}


def test_identify_describes_the_repository(client, library, django_assert_num_queries):
    with django_assert_num_queries(1):
        tree = oai(client, verb="Identify")
    assert texts(tree, "//oai:baseURL") == ["http://127.0.0.1:8000/oai/"]
    assert texts(tree, "//oai:protocolVersion") == ["2.0"]
    assert texts(tree, "//oai:earliestDatestamp") == ["2026-01-01T12:00:00Z"]
    assert texts(tree, "//oai:deletedRecord") == ["transient"]
    assert texts(tree, "//oai:granularity") == ["YYYY-MM-DDThh:mm:ssZ"]


def test_list_metadata_formats(client, library):
    tree = oai(client, verb="ListMetadataFormats")
    assert texts(tree, "//oai:metadataPrefix") == ["oai_dc"]
    tree = oai(client, verb="ListMetadataFormats", identifier=identifier(library["first"]))
    assert texts(tree, "//oai:metadataPrefix") == ["oai_dc"]
    tree = oai(client, verb="ListMetadataFormats", identifier=identifier(library["draft"]))
    assert error_code(tree) == ["idDoesNotExist"]


def test_list_sets_names_themes_and_kinds(client, library):
    tree = oai(client, verb="ListSets")
    specs = texts(tree, "//oai:setSpec")
    assert {"theme", "kind", "theme:prevention", "theme:youth", "theme:mediation", "kind:publication"} <= set(specs)
    assert "Youth" in texts(tree, "//oai:setName")


def test_list_records_walks_every_record_once_through_signed_tokens(client, library, django_assert_num_queries):
    with django_assert_num_queries(4):  # entries, themes, tags, creators with their people
        tree = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    seen = texts(tree, "//oai:header/oai:identifier")
    token = tree.find(".//oai:resumptionToken", NS).text
    assert token
    # The same on the last page: the number of records does not change the count.
    with django_assert_num_queries(4):
        tree = oai(client, verb="ListRecords", resumptionToken=token)
    seen += texts(tree, "//oai:header/oai:identifier")
    # The list came in parts: its last part ends with an empty token.
    assert tree.find(".//oai:resumptionToken", NS).text is None
    expected = [library[name] for name in ("first", "second", "third", "withdrawn")]
    assert seen == [identifier(entry) for entry in expected]


def test_the_whole_record_in_dublin_core(client, db, oai_settings):
    """A journal article (issue 20): where it was published as dc:source, its series as dc:relation, the
    editors as contributors, the date at its precision, its licence; never the organizers' notes."""
    from depository.models import Creator

    entry = journal_article(rights="CC BY 4.0")
    Creator.objects.create(entry=entry, role="editor", family="Lopez", given="Maria", position=5)
    tree = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier(entry))
    assert texts(tree, "//dc:creator") == ["Pérez, Ana", "Smith, John"]
    assert texts(tree, "//dc:contributor") == ["Lopez, Maria"]
    assert texts(tree, "//dc:source") == ["Journal of Urban Safety, 12(3), 45-67"]
    assert texts(tree, "//dc:relation") == ["Safer Cities Papers, 7"]
    assert texts(tree, "//dc:date") == ["2019-03"]
    assert texts(tree, "//dc:type") == ["Text", "Publication", "Journal article"]
    assert texts(tree, "//dc:rights") == ["CC BY 4.0"]
    assert texts(tree, "//dc:publisher") == ["Urban Press"]
    assert texts(tree, "//dc:description")[0].startswith("Residents of two peripheral districts")
    assert texts(tree, "//dc:description")[1] == entry.summary
    assert "https://doi.org/10.1234/jus.2019.12.3.45" in texts(tree, "//dc:identifier")
    assert "Checked against" not in etree.tostring(tree).decode()


def test_record_metadata_in_dublin_core(client, library):
    tree = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier(library["first"]))
    assert texts(tree, "//dc:title") == ["Safer cities toolkit"]
    # The member-only person is left out; the comma-written name is kept as family, given.
    assert texts(tree, "//dc:creator") == ["Connolly, David"]
    assert texts(tree, "//dc:description") == ["How cities prevent violence."]
    assert texts(tree, "//dc:date") == ["2019"]
    assert texts(tree, "//dc:type") == ["Text", "Publication"]
    assert texts(tree, "//dc:subject") == ["Youth", "policing"]
    assert texts(tree, "//dc:identifier") == [
        f"http://127.0.0.1:8000/depository/{library['first'].slug}/",
        "https://doi.org/10.1234/abc.5",
    ]
    assert texts(tree, "//oai:header/oai:datestamp") == ["2026-01-01T12:00:00Z"]
    assert texts(tree, "//oai:header/oai:setSpec") == [
        "kind",
        "kind:publication",
        "theme",
        "theme:prevention",
        "theme:youth",
    ]


def test_list_identifiers_reads_no_metadata(client, library, django_assert_num_queries):
    with django_assert_num_queries(2):  # entries, themes
        tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="kind:publication")
    assert texts(tree, "//oai:header/oai:identifier") == [identifier(library["first"]), identifier(library["third"])]
    assert tree.find(".//oai:metadata", NS) is None


def test_withdrawn_entry_is_a_deleted_record_and_a_draft_is_none(client, library):
    tree = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier(library["withdrawn"]))
    assert tree.find(".//oai:header", NS).get("status") == "deleted"
    assert tree.find(".//oai:metadata", NS) is None
    tree = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier(library["draft"]))
    assert error_code(tree) == ["idDoesNotExist"]


def test_from_until_and_sets_select_records(client, library):
    def listed(**arguments):
        tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **arguments)
        found = texts(tree, "//oai:header/oai:identifier")
        token = tree.find(".//oai:resumptionToken", NS)
        while token is not None and token.text:
            tree = oai(client, verb="ListIdentifiers", resumptionToken=token.text)
            found += texts(tree, "//oai:header/oai:identifier")
            token = tree.find(".//oai:resumptionToken", NS)
        return found

    first, second, third, withdrawn = (library[name] for name in ("first", "second", "third", "withdrawn"))
    assert listed(**{"from": "2026-01-02T12:00:00Z", "until": "2026-01-03T12:00:00Z"}) == [
        identifier(second),
        identifier(third),
    ]
    assert listed(**{"from": "2026-01-05"}) == [identifier(withdrawn)]
    assert listed(until="2026-01-01") == [identifier(first)]
    assert listed(set="theme:prevention") == [identifier(first)]
    assert listed(set="theme") == [identifier(first), identifier(second)]
    assert listed(set="kind:publication") == [identifier(first), identifier(third)]


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Explain"}, "badVerb"),
        ({"verb": "GetMetadata"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "colour": "red"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-13-01"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-01-01T00:00Z"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-02-01", "until": "2026-01-01"},
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-01-01", "until": "2026-02-01T00:00:00Z"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "cursor=0&metadataPrefix=oai_dc"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:elsewhere.org:entries/1"},
            "idDoesNotExist",
        ),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:127.0.0.1:entries/99999999"},
            "idDoesNotExist",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "theme:nothing"}, "noRecordsMatch"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "colour:red"}, "noRecordsMatch"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2030-01-01"}, "noRecordsMatch"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "9999-12-31T23:59:59Z", "set": "x"},
            "noRecordsMatch",
        ),
        ({"verb": "Identify", "junk\x0b": "\x0b"}, "badArgument"),
    ],
)
def test_every_error_code_of_the_protocol(client, library, arguments, code):
    tree = oai(client, **arguments)
    assert error_code(tree) == [code]
    assert tree.find("oai:request", NS).text == "http://127.0.0.1:8000/oai/"


def test_repeated_arguments_are_refused(client, library):
    response = client.get("/oai/?verb=Identify&verb=Identify")
    tree = etree.fromstring(response.content)
    SCHEMA.assertValid(tree)
    assert error_code(tree) == ["badVerb"]
    response = client.get("/oai/?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc")
    tree = etree.fromstring(response.content)
    SCHEMA.assertValid(tree)
    assert error_code(tree) == ["badArgument"]


def test_a_forged_token_is_refused(client, library):
    tree = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    token = unquote(tree.find(".//oai:resumptionToken", NS).text)
    forged = quote(token.replace("metadataPrefix=oai_dc", "metadataPrefix=oai_dc&set=kind"))
    assert error_code(oai(client, verb="ListRecords", resumptionToken=forged)) == ["badResumptionToken"]


def test_arguments_may_be_posted(client, library):
    tree = oai(
        client, method="post", verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier(library["second"])
    )
    assert texts(tree, "//dc:title") == ["Mediation guide"]


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
def test_sickle_harvests_every_record(live_server, oai_settings):
    for number in range(5):
        make_entry(f"Harvested work {number}", authors=f"Author{number}, Given")
    withdrawn = make_entry("Withdrawn work")
    archive_entries(entries=Entry.objects.filter(pk=withdrawn.pk))
    make_entry("Never published", status="draft")
    harvester = Sickle(f"{live_server.url}/oai/", max_retries=1)
    records = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    published = [record for record in records if not record.deleted]
    assert sorted(record.metadata["title"][0] for record in published) == [f"Harvested work {n}" for n in range(5)]
    assert [record.header.identifier for record in records if record.deleted] == [
        f"oai:127.0.0.1:entries/{withdrawn.pk}"
    ]
    assert {record.metadata["creator"][0] for record in published} == {f"Author{n}, Given" for n in range(5)}
    headers = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set="kind:tool"))
    assert len(headers) == 6
    # The same walk a response at a time: 6 records in pages of 2, each response valid by the schemas.
    pages = Sickle(f"{live_server.url}/oai/", iterator=OAIResponseIterator, max_retries=1)
    responses = list(pages.ListRecords(metadataPrefix="oai_dc"))
    assert len(responses) == 3
    for response in responses:
        SCHEMA.assertValid(etree.fromstring(response.http_response.content))
    assert harvester.Identify().repositoryName == "TWG Portal depository"
