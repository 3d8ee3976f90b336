"""The whole record in every export (issue 20): for a journal article, a chapter in an edited book of a
series, a report with its number and institution, a thesis, a web page read on a date and a report by an
organization, the entry's `cite.ris`, `cite.bib` and `cite.json` through the real view, read back with
rispy, bibtexparser and the CSL-JSON schema; the entry page's Highwire tags, JSON-LD (expanded by pyld,
a JSON-LD processor) and APA/Chicago; and notes that only organizers see unless they are public."""

import datetime
import json
import re
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts
from django.test import Client
from django.urls import reverse
from pyld import jsonld

from depository.models import Creator
from tests.depository_helpers import journal_article, make_entry

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "csl" / "csl-data.json").read_text())


def download(client, entry, extension):
    response = client.get(reverse("depository:cite", kwargs={"slug": entry.slug, "fmt": extension}))
    assert response.status_code == 200
    return response.content.decode()


def ris_of(client, entry):
    [record] = rispy.loads(download(client, entry, "ris"))
    return record


def bib_of(client, entry):
    library = bibtexparser.parse_string(
        download(client, entry, "bib"),
        append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors(), SplitNameParts()],
    )
    assert not library.failed_blocks
    [record] = library.entries
    return record


def bib_value(record, name):
    return record.fields_dict[name].value if name in record.fields_dict else None


def csl_of(client, entry):
    items = json.loads(download(client, entry, "json"))
    jsonschema.validate(items, SCHEMA)  # the CSL project's own schema (tests/fixtures/csl, MIT)
    [item] = items
    return item


def add_creator(entry, role, family="", given="", name=""):
    kind = "organization" if name else "person"
    position = entry.creators.count()
    return Creator.objects.create(
        entry=entry, role=role, kind=kind, family=family, given=given, name=name, position=position
    )


def entry_page(client, entry):
    return client.get(entry.get_absolute_url()).content.decode()


def page_json_ld(content):
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S).group(1)
    return json.loads(block)


def meta_tags(content):
    return re.findall(r'<meta name="(citation_[a-z_]+)" content="([^"]*)">', content)


def schema_org_loader(url, options=None):
    """pyld's document loader, offline: schema.org's context as its vocabulary (the real context only adds
    type coercions)."""
    assert url.rstrip("/") in {"https://schema.org", "http://schema.org"}
    return {"contextUrl": None, "documentUrl": url, "document": {"@context": {"@vocab": "https://schema.org/"}}}


def expanded(data):
    return jsonld.expand(data, {"documentLoader": schema_org_loader})


# -- the records --------------------------------------------------------------------------------------
@pytest.fixture
def article(db):
    entry = journal_article(rights="CC BY 4.0", note_is_public=False, language="en")
    add_creator(entry, "editor", "Lopez", "Maria")
    add_creator(entry, "translator", "Dubois", "Claire")
    return entry


@pytest.fixture
def chapter(db):
    entry = make_entry(
        "Mediation at the neighbourhood scale",
        kind="publication",
        slug="mediation-chapter",
        item_type="chapter",
        authors="Moser, Caroline",
        container_title="Cities and Conflict",
        collection_title="Urban Studies Series",
        collection_number="4",
        page="101-125",
        edition="2",
        publisher="Routledge",
        publisher_place="London",
        isbn="978-0-306-40615-7",
        year=2016,
    )
    add_creator(entry, "editor", "Rodgers", "Dennis")
    add_creator(entry, "editor", "Beall", "Jo")
    add_creator(entry, "collection-editor", "Jones", "Gareth")
    return entry


@pytest.fixture
def report(db):
    return make_entry(
        "Urban safety audit of Nairobi",
        kind="publication",
        slug="safety-audit",
        item_type="report",
        authors="Smith, John",
        report_number="HS/045/15E",
        publisher="UN-Habitat",
        publisher_place="Nairobi",
        genre="Technical report",
        year=2015,
        date_issued=datetime.date(2015, 6, 12),
        date_issued_precision="day",
    )


@pytest.fixture
def thesis(db):
    return make_entry(
        "Gangs and the city",
        kind="publication",
        slug="gangs-thesis",
        item_type="thesis",
        authors="Rodgers, Dennis",
        genre="PhD thesis",
        publisher="University of Cambridge",
        publisher_place="Cambridge",
        number_of_pages="312",
        year=2000,
    )


@pytest.fixture
def webpage(db):
    return make_entry(
        "Safer Cities Programme",
        kind="tool",
        slug="safer-cities-web",
        item_type="webpage",
        authors="UN-Habitat",
        container_title="UN-Habitat website",
        external_url="https://unhabitat.org/programme/safer-cities",
        accessed=datetime.date(2024, 2, 29),
        year=2023,
    )


@pytest.fixture
def org_report(db):
    return make_entry(
        "Global report on urban violence",
        kind="publication",
        slug="global-report",
        item_type="report",
        authors="United Nations Office on Drugs and Crime",
        publisher="UNODC",
        publisher_place="Vienna",
        year=2019,
    )


# -- RIS ----------------------------------------------------------------------------------------------
def test_ris_of_a_journal_article_carries_every_field(client, article):
    text = download(client, article, "ris")
    assert text.startswith("TY  - JOUR\r\n")
    record = rispy.loads(text)[0]
    assert record["title"] == "Policing the periphery"
    assert record["authors"] == ["Pérez, Ana", "Smith, John"]
    assert record["secondary_authors"] == ["Lopez, Maria"]  # A2: editors
    assert record["subsidiary_authors"] == ["Dubois, Claire"]  # A4: translators
    assert record["secondary_title"] == "Journal of Urban Safety"  # T2
    assert record["alternate_title1"] == "J. Urban Saf."  # J2
    assert record["tertiary_title"] == "Safer Cities Papers"  # T3: the series
    assert (record["volume"], record["number"]) == ("12", "3")
    assert (record["start_page"], record["end_page"]) == ("45", "67")
    assert record["year"] == "2019" and record["date"] == "2019/03//"
    assert record["access_date"] == "2020/05/04"
    assert record["doi"] == "10.1234/jus.2019.12.3.45" and record["issn"] == "1234-5679"
    assert record["publisher"] == "Urban Press" and record["place_published"] == "Nairobi"
    assert record["name_of_database"] == "UN-Habitat Library" and record["accession_number"] == "Box 12"
    assert record["keywords"] == ["participatory mapping", "street lighting"]
    assert record["urls"] == ["https://example.org/jus/periphery"]
    assert record["abstract"].startswith("Residents of two peripheral districts")
    assert record["language"] == "en"
    assert record["unknown_tag"]["CR"] == ["CC BY 4.0"]  # rights
    # What RIS has no tag for: "variable: value" lines of N1, as Zotero's Extra.
    lines = "\n".join(record["notes"])
    for line in ("collection-number: 7", "original-date: 2017", "PMID: 31234567", "original-publisher: City Press"):
        assert line in lines
    # The public sees neither the organizers' note nor the fields kept from a reference manager.
    assert "Checked against the publisher's PDF." not in text and "Field notes" not in text


def test_ris_of_a_chapter_a_report_a_thesis_and_a_web_page(client, chapter, report, thesis, webpage):
    record = ris_of(client, chapter)
    assert record["type_of_reference"] == "CHAP"
    assert record["secondary_title"] == "Cities and Conflict" and record["tertiary_title"] == "Urban Studies Series"
    assert record["secondary_authors"] == ["Rodgers, Dennis", "Beall, Jo"]  # the book's editors
    assert record["tertiary_authors"] == ["Jones, Gareth"]  # A3: the series' editor
    assert (record["start_page"], record["end_page"], record["edition"]) == ("101", "125", "2")
    assert record["issn"] == "978-0-306-40615-7"  # SN: the ISBN
    record = ris_of(client, report)
    assert record["type_of_reference"] == "RPRT"
    assert record["issn"] == "HS/045/15E"  # SN: a report's number (Zotero's reportNumber)
    assert record["publisher"] == "UN-Habitat" and record["type_of_work"] == "Technical report"
    assert record["date"] == "2015/06/12/" and record["year"] == "2015"
    record = ris_of(client, thesis)
    assert record["type_of_reference"] == "THES" and record["start_page"] == "312"  # SP: the number of pages
    assert record["publisher"] == "University of Cambridge" and record["type_of_work"] == "PhD thesis"
    record = ris_of(client, webpage)
    assert record["type_of_reference"] == "ELEC" and record["access_date"] == "2024/02/29"
    assert record["authors"] == ["UN-Habitat"] and record["secondary_title"] == "UN-Habitat website"


def test_ris_imported_again_is_the_same_record(client, chapter):
    from depository.csl import entry_values
    from depository.references.readers import from_ris

    [(_, item)] = list(from_ris(download(client, chapter, "ris")))
    values = entry_values(item)
    for column in ("title", "container_title", "collection_title", "page", "edition", "publisher", "isbn"):
        assert values.fields[column] == getattr(chapter, column), column
    assert values.fields["item_type"] == "chapter" and values.fields["year"] == 2016
    assert [(c["role"], c["family"]) for c in values.creators] == [
        ("author", "Moser"),
        ("editor", "Rodgers"),
        ("editor", "Beall"),
        ("collection-editor", "Jones"),
    ]


# -- BibTeX -------------------------------------------------------------------------------------------
def test_bibtex_of_a_journal_article_carries_every_field(client, article):
    record = bib_of(client, article)
    assert record.entry_type == "article" and record.key == "policing-the-periphery"
    authors = [(name.last, name.first) for name in bib_value(record, "author")]
    assert authors == [(["Pérez"], ["Ana"]), (["Smith"], ["John"])]
    assert [name.last for name in bib_value(record, "editor")] == [["Lopez"]]
    assert [name.last for name in bib_value(record, "translator")] == [["Dubois"]]
    expected = {
        "title": "Policing the periphery",
        "journal": "Journal of Urban Safety",
        "shortjournal": "J. Urban Saf.",
        "series": "Safer Cities Papers",
        "volume": "12",
        "number": "3",  # an article's issue
        "pages": "45–67",  # written 45--67, LaTeX's en dash (LatexDecodingMiddleware)
        "year": "2019",
        "month": "mar",
        "publisher": "Urban Press",
        "address": "Nairobi",
        "doi": "10.1234/jus.2019.12.3.45",
        "issn": "1234-5679",
        "url": "https://example.org/jus/periphery",
        "urldate": "2020-05-04",
        "origdate": "2017",
        "keywords": "participatory mapping, street lighting",
        "rights": "CC BY 4.0",
        "pmid": "31234567",
        "language": "English",
    }
    assert {name: bib_value(record, name) for name in expected} == expected
    assert bib_value(record, "abstract").startswith("Residents of two peripheral districts")
    note = bib_value(record, "note")
    assert "collection-number: 7" in note and "original-publisher: City Press" in note
    assert "Checked against" not in note and "Field notes" not in note


def test_bibtex_types_and_their_fields(client, chapter, report, thesis, webpage):
    record = bib_of(client, chapter)
    assert record.entry_type == "incollection"
    assert (bib_value(record, "booktitle"), bib_value(record, "series"), bib_value(record, "number")) == (
        "Cities and Conflict",
        "Urban Studies Series",
        "4",  # the number in the series
    )
    assert "pages = {101--125}" in download(client, chapter, "bib")
    assert bib_value(record, "pages") == "101–125" and bib_value(record, "isbn") == "978-0-306-40615-7"
    assert bib_value(record, "edition") == "2" and bib_value(record, "address") == "London"
    record = bib_of(client, report)
    assert record.entry_type == "techreport"
    assert bib_value(record, "institution") == "UN-Habitat" and bib_value(record, "number") == "HS/045/15E"
    assert bib_value(record, "type") == "Technical report" and bib_value(record, "date") == "2015-06-12"
    assert bib_value(record, "month") == "jun"
    record = bib_of(client, thesis)
    assert record.entry_type == "phdthesis" and bib_value(record, "school") == "University of Cambridge"
    assert bib_value(record, "pagetotal") == "312"
    record = bib_of(client, webpage)
    assert record.entry_type == "online" and bib_value(record, "urldate") == "2024-02-29"
    assert "author = {{UN-Habitat}}" in download(client, webpage, "bib")  # braced whole: BibTeX never splits it


def test_bibtex_imported_again_is_the_same_record(client, report):
    from depository.csl import entry_values
    from depository.references.readers import from_bibtex

    [(_, item)] = list(from_bibtex(download(client, report, "bib")))
    values = entry_values(item)
    for column in ("title", "publisher", "publisher_place", "report_number", "genre", "date_issued"):
        assert values.fields[column] == getattr(report, column), column
    assert values.fields["item_type"] == "report" and values.fields["date_issued_precision"] == "day"


# -- CSL-JSON -----------------------------------------------------------------------------------------
def test_csl_json_is_valid_against_the_schema_for_every_record(client, article, chapter, report, thesis, webpage):
    item = csl_of(client, article)
    assert item["container-title"] == "Journal of Urban Safety"
    assert (item["volume"], item["issue"], item["page"]) == ("12", "3", "45-67")
    assert item["issued"] == {"date-parts": [[2019, 3]]} and item["accessed"] == {"date-parts": [[2020, 5, 4]]}
    assert item["editor"] == [{"family": "Lopez", "given": "Maria"}]
    assert item["note"] == "license: CC BY 4.0"  # not in csl-data.json yet; the notes stay hidden
    assert csl_of(client, chapter)["collection-editor"] == [{"family": "Jones", "given": "Gareth"}]
    assert csl_of(client, report)["number"] == "HS/045/15E"
    assert csl_of(client, thesis)["number-of-pages"] == "312"
    assert csl_of(client, webpage)["author"] == [{"literal": "UN-Habitat"}]


def test_csl_json_with_values_kept_as_written_is_still_valid(client):
    entry = make_entry(
        "Kept as written",
        item_type="book",
        other_variables={
            "type": "bookish",  # a type CSL does not know
            "ISBN": ["978-1", "978-2"],  # a repeated field
            "original-date": "spring 1985",
            "archive-collection": "Box",
            "ris:C1": "kept",
        },
    )
    item = csl_of(client, entry)
    assert item["type"] == "book" and item["ISBN"] == "978-1; 978-2"
    assert item["original-date"] == {"raw": "spring 1985"} and item["archive_collection"] == "Box"


# -- on the entry page --------------------------------------------------------------------------------
def test_highwire_tags_of_a_journal_article(client, article):
    tags = meta_tags(entry_page(client, article))
    for pair in [
        ("citation_title", "Policing the periphery"),
        ("citation_author", "Pérez, Ana"),
        ("citation_journal_title", "Journal of Urban Safety"),
        ("citation_journal_abbrev", "J. Urban Saf."),
        ("citation_volume", "12"),
        ("citation_issue", "3"),
        ("citation_firstpage", "45"),
        ("citation_lastpage", "67"),
        ("citation_publication_date", "2019/03"),
        ("citation_doi", "10.1234/jus.2019.12.3.45"),
        ("citation_issn", "1234-5679"),
    ]:
        assert pair in tags


def test_highwire_tags_of_a_report_and_a_thesis(client, report, thesis):
    tags = meta_tags(entry_page(client, report))
    assert ("citation_technical_report_number", "HS/045/15E") in tags
    assert ("citation_technical_report_institution", "UN-Habitat") in tags
    assert ("citation_publication_date", "2015/06/12") in tags
    assert ("citation_dissertation_institution", "University of Cambridge") in meta_tags(entry_page(client, thesis))


def test_json_ld_nests_where_the_work_was_published(client, article, chapter):
    data = page_json_ld(entry_page(client, article))
    assert data["@type"] == "ScholarlyArticle" and data["datePublished"] == "2019-03"
    issue = data["isPartOf"][0]
    assert issue["@type"] == "PublicationIssue" and issue["issueNumber"] == "3"
    assert issue["isPartOf"]["@type"] == "PublicationVolume" and issue["isPartOf"]["volumeNumber"] == "12"
    assert issue["isPartOf"]["isPartOf"] == {
        "@type": "Periodical",
        "name": "Journal of Urban Safety",
        "alternateName": "J. Urban Saf.",
        "issn": "1234-5679",
    }
    assert data["isPartOf"][1] == {"@type": "CreativeWorkSeries", "name": "Safer Cities Papers", "position": "7"}
    assert (data["pageStart"], data["pageEnd"], data["license"]) == ("45", "67", "CC BY 4.0")
    assert data["keywords"] == ["participatory mapping", "street lighting"]
    [node] = expanded(data)
    assert node["@type"] == ["https://schema.org/ScholarlyArticle"]
    assert node["https://schema.org/pageStart"] == [{"@value": "45"}]

    data = page_json_ld(entry_page(client, chapter))
    assert data["@type"] == "Chapter" and "editor" not in data
    book = data["isPartOf"][0]
    assert book["@type"] == "Book" and book["name"] == "Cities and Conflict" and book["isbn"] == "978-0-306-40615-7"
    assert [editor["familyName"] for editor in book["editor"]] == ["Rodgers", "Beall"]
    assert expanded(data)


def test_apa_and_chicago_print_the_container_volume_issue_and_pages(client, article):
    content = entry_page(client, article)
    apa, chicago = re.findall(r'<p class="cite__text" data-style="[a-z]+">(.*?)</p>', content, re.S)
    assert apa.startswith('<span class="cite__style">APA:</span> Pérez, A., &amp; Smith, J. (2019). Policing')
    assert "<i>Journal of Urban Safety" in apa and "<i>12</i>(3), 45–67. https://doi.org/10.1234/" in apa
    assert "<i>Journal of Urban Safety" in chicago and "12 (3): 45–67" in chicago


def test_apa_and_chicago_of_an_organization_never_print_the_title_twice(client, org_report):
    content = entry_page(client, org_report)
    assert "United Nations Office on Drugs and Crime. (2019). <i>Global report on urban violence</i>" in content
    assert content.lower().count("global report on urban violence</i>") == 2  # once per style
    without_author = make_entry("Annual review", item_type="report", publisher="UN-Habitat", year=2015)
    content = entry_page(client, without_author)
    assert "UN-Habitat. (2015). <i>Annual review</i>." in content  # the publisher as group author
    assert content.count("Annual review</i>") + content.count("Annual Review</i>") == 2


# -- notes --------------------------------------------------------------------------------------------
def test_notes_only_for_organizers_unless_public(organizer_client, article):
    for fmt in ("ris", "bib", "json"):
        assert "Checked against the publisher" not in download(Client(), article, fmt)
    ris = download(organizer_client, article, "ris")
    assert "N1  - Checked against the publisher's PDF." in ris and "C1  - Field notes" in ris
    bib = bib_of(organizer_client, article)
    note = bib_value(bib, "note")
    assert "Checked against the publisher's PDF." in note and "C1: Field notes" in note
    item = csl_of(organizer_client, article)
    assert item["note"].startswith("Checked against the publisher's PDF.\nC1: Field notes")


def test_public_notes_are_in_every_format(client, article):
    article.note_is_public = True
    article.save()
    assert "N1  - Checked against the publisher's PDF." in download(client, article, "ris")
    assert "Checked against the publisher's PDF." in bib_value(bib_of(client, article), "note")
    assert "Checked against the publisher's PDF." in csl_of(client, article)["note"]
