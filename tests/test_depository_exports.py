"""The briefing pack (ZIP of a filtered selection) and the literature review's exports."""

import csv
import io
import zipfile

import bibtexparser
import pytest
import rispy
from django.urls import reverse

from tests.depository_helpers import attach, make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def read_pack(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_pack_holds_exactly_the_filtered_set(client):
    lighting = make_entry("Street lighting", slug="street-lighting", themes=["lighting"], violence_types=["organized"])
    patrols = make_entry("Night patrols", slug="night-patrols", themes=["lighting"], violence_types=["organized"])
    other = make_entry("Mediation", slug="mediation", themes=["mediation"], violence_types=["organized"])
    make_entry("Draft lighting", status="draft", themes=["lighting"])
    attach(lighting, name="audit.pdf", content=b"%PDF audit")
    attach(lighting, name="private.pdf", content=b"%PDF private", is_public=False)
    attach(patrols, name="patrol plan.docx", content=b"PK docx", content_type="application/msword")
    attach(other, name="mediation.pdf", content=b"%PDF mediation")

    pack = read_pack(client.get(reverse("depository:pack"), {"theme": "lighting", "violence_type": "organized"}))
    rows = csv_rows(pack.read("entries.csv").decode("utf-8"))
    assert sorted(row["slug"] for row in rows) == ["night-patrols", "street-lighting"]
    records = rispy.loads(pack.read("citations.ris").decode())
    assert sorted(record["title"] for record in records) == ["Night patrols", "Street lighting"]
    files = sorted(name for name in pack.namelist() if name.startswith("files/"))
    assert len(files) == 2
    assert files[0].startswith("files/night-patrols/") and files[0].endswith("patrol_plan.docx")
    assert files[1].startswith("files/street-lighting/") and files[1].endswith("audit.pdf")
    assert pack.read(files[1]) == b"%PDF audit"


def test_pack_csv_neutralises_spreadsheet_formulas(client):
    make_entry('=HYPERLINK("http://evil")', summary="+1+1", authors="@SUM(A1)", publisher="-2")
    pack = read_pack(client.get(reverse("depository:pack")))
    [row] = csv_rows(pack.read("entries.csv").decode("utf-8"))
    assert row["title"] == '\'=HYPERLINK("http://evil")'
    assert row["summary"] == "'+1+1" and row["authors"] == "'@SUM(A1)" and row["publisher"] == "'-2"


def test_pack_over_the_size_cap_is_refused_with_a_message(client, settings):
    settings.BRIEFING_PACK_MAX_BYTES = 10
    attach(make_entry("Big"), content=b"%PDF " + b"x" * 100)
    response = client.get(reverse("depository:pack"))
    assert response.status_code == 413
    assert "more than the 10" in response.content.decode()


def test_browse_page_states_the_pack_cap(client, settings):
    settings.BRIEFING_PACK_MAX_BYTES = 50 * 1024 * 1024
    make_entry("Tool")
    content = client.get(reverse("depository:browse")).content.decode()
    assert 'href="/depository/pack.zip"' in content and "up to 50.0\xa0MB" in content


def test_pack_with_malformed_filters_is_a_400(client):
    assert client.get(reverse("depository:pack"), {"year": "soon"}).status_code == 400


def test_pack_excludes_drafts(client):
    make_entry("Published")
    make_entry("Draft", status="draft")
    rows = csv_rows(read_pack(client.get(reverse("depository:pack"))).read("entries.csv").decode())
    assert [row["title"] for row in rows] == ["Published"]


@pytest.fixture
def literature(db):
    make_entry("Inception report", kind="meeting_report", annotation="Founding document.", themes=["evidence"])
    make_entry("Crime prevention paper", kind="input_paper", authors="Jaume Guardans", themes=["crime-prevention"])
    make_entry("Unthemed publication", kind="publication")
    make_entry("A tool, not literature", kind="tool", themes=["evidence"])
    make_entry("Draft paper", kind="publication", status="draft")


def test_literature_page_groups_by_theme(client, literature, django_assert_num_queries):
    # 1 themes with parents, 1 their literature entries, 1 their creators with people, 1 entries with
    # no theme, 1 their creators with people
    with django_assert_num_queries(5):
        response = client.get(reverse("depository:literature"))
    content = response.content.decode()
    assert "Founding document." in content and "Guardans, Jaume" in content
    assert "Not yet assigned to a theme" in content and "Unthemed publication" in content
    assert "A tool, not literature" not in content and "Draft paper" not in content
    assert content.index("Crime prevention paper") < content.index("Unthemed publication")


def test_literature_exports(client, literature):
    ris = client.get(reverse("depository:literature-export", kwargs={"fmt": "ris"})).content.decode()
    assert sorted(r["title"] for r in rispy.loads(ris)) == [
        "Crime prevention paper",
        "Inception report",
        "Unthemed publication",
    ]
    bib = client.get(reverse("depository:literature-export", kwargs={"fmt": "bib"})).content.decode()
    assert len(bibtexparser.parse_string(bib).entries) == 3
    response = client.get(reverse("depository:literature-export", kwargs={"fmt": "csv"}))
    assert response["Content-Type"].startswith("text/csv")
    assert len(csv_rows(response.content.decode())) == 3
    assert client.get(reverse("depository:literature-export", kwargs={"fmt": "exe"})).status_code == 404


def test_csv_has_the_records_main_fields(client):
    from tests.depository_helpers import journal_article

    journal_article()
    [row] = csv_rows(read_pack(client.get(reverse("depository:pack"))).read("entries.csv").decode())
    assert {name: row[name] for name in ("item_type", "container_title", "volume", "issue", "pages")} == {
        "item_type": "article-journal",
        "container_title": "Journal of Urban Safety",
        "volume": "12",
        "issue": "3",
        "pages": "45-67",
    }
    assert (row["date_issued"], row["doi"], row["issn"]) == ("2019-03", "10.1234/jus.2019.12.3.45", "1234-5679")
