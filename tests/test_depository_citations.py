"""Citation downloads parse with the reference managers' parsers and carry the entry's fields."""

import json

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from django.test import Client
from django.urls import reverse

from tests.depository_helpers import make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(db):
    return make_entry(
        "Urban safety & peacebuilding: {a} 100% review_1",
        kind="meeting_report",
        slug="safety-review",
        authors="Pérez, Ana; John Smith; United Nations Office at Geneva",
        doi="10.18356/abc-123",
        report_number="HSP/WUF/9",
        publisher="UN-Habitat",
        year=2015,
        language="es",
        summary="What both fields share.\nAnd where they differ.",
        external_url="https://example.org/review",
        tags=["confluence", "cities"],
    )


def download(client, entry, fmt):
    response = client.get(reverse("depository:cite", kwargs={"slug": entry.slug, "fmt": fmt}))
    assert response.status_code == 200
    assert f'filename="{entry.slug}.{fmt}"' in response["Content-Disposition"]
    return response.content.decode()


def test_ris_parses_with_rispy(client, entry):
    text = download(client, entry, "ris")
    assert text.startswith("TY  - RPRT\r\n")  # no record number before the record (EndNote refuses it)
    [record] = rispy.loads(text)
    assert record["type_of_reference"] == "RPRT"
    assert record["title"] == entry.title
    assert record["authors"] == ["Pérez, Ana", "Smith, John", "United Nations Office at Geneva"]
    assert record["doi"] == "10.18356/abc-123"
    assert record["issn"] == "HSP/WUF/9"  # Zotero reads a report's SN as its report number
    assert record["year"] == "2015"
    assert record["publisher"] == "UN-Habitat"
    assert record["abstract"] == "What both fields share. And where they differ."
    assert record["keywords"] == ["cities", "confluence"]
    # The work's own link; the portal's page stands in only for a work with none (csl.csl_item).
    assert record["urls"] == ["https://example.org/review"]


def test_bibtex_parses_with_bibtexparser(client, entry):
    library = bibtexparser.parse_string(download(client, entry, "bib"))
    assert not library.failed_blocks
    [record] = library.entries
    assert record.entry_type == "techreport" and record.key == "safety-review"
    fields = record.fields_dict
    assert fields["title"].value == r"{Urban safety \& peacebuilding: \{a\} 100\% review\_1}"
    assert fields["author"].value == "Pérez, Ana and Smith, John and {United Nations Office at Geneva}"
    assert fields["doi"].value == "10.18356/abc-123" and fields["number"].value == "HSP/WUF/9"
    names = bibtexparser.parse_string(
        download(client, entry, "bib"), append_middleware=[SeparateCoAuthors(), SplitNameParts()]
    ).entries[0]["author"]
    assert [(name.last, name.first) for name in names] == [
        (["Pérez"], ["Ana"]),
        (["Smith"], ["John"]),
        (["{United Nations Office at Geneva}"], []),
    ]
    assert fields["year"].value == "2015"
    assert fields["institution"].value == "UN-Habitat"
    assert fields["url"].value == "https://example.org/review"
    assert fields["language"].value == "Spanish"


def test_csl_json(client, entry):
    [item] = json.loads(download(client, entry, "json"))
    assert item["id"] == "safety-review" and item["type"] == "report"
    assert item["title"] == entry.title
    assert item["author"] == [
        {"family": "Pérez", "given": "Ana"},
        {"family": "Smith", "given": "John"},
        {"literal": "United Nations Office at Geneva"},
    ]
    assert item["DOI"] == "10.18356/abc-123" and item["number"] == "HSP/WUF/9"
    assert item["issued"] == {"date-parts": [[2015]]}
    assert item["publisher"] == "UN-Habitat" and item["language"] == "es"
    assert item["URL"] == "https://example.org/review"


def test_an_entry_without_optional_fields_still_cites(client):
    entry = make_entry("Bare tool", kind="tool")
    [record] = rispy.loads(download(client, entry, "ris"))
    assert record["type_of_reference"] == "GEN" and "authors" not in record
    assert bibtexparser.parse_string(download(client, entry, "bib")).entries[0].entry_type == "misc"
    assert json.loads(download(client, entry, "json"))[0]["type"] == "document"


def test_unknown_format_and_drafts_are_404(client):
    draft = make_entry("Draft", status="draft")
    published = make_entry("Published")
    assert Client().get(reverse("depository:cite", kwargs={"slug": draft.slug, "fmt": "ris"})).status_code == 404
    assert client.get(reverse("depository:cite", kwargs={"slug": published.slug, "fmt": "doc"})).status_code == 404
