"""Bulk import/export of entries in the admin: dry run first, one transaction, safe CSV cells."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from depository.models import CityType, Entry, EntryStatus, Theme, ViolenceType
from depository.spreadsheets import EntryResource
from places.models import City
from tests.document_files import with_extra_zip_entries

pytestmark = pytest.mark.django_db

CSV_FORMAT, XLSX_FORMAT = "0", "1"
HEADER = ",".join(EntryResource._meta.fields) + "\n"
IMPORT_URL = reverse("admin:depository_entry_import")
PROCESS_URL = reverse("admin:depository_entry_process_import")
EXPORT_URL = reverse("admin:depository_entry_export")


@pytest.fixture
def vocabulary(db):
    post_conflict = CityType.objects.create(name="Post-conflict city", slug="post-conflict")
    fragile = CityType.objects.create(name="Fragile city", slug="fragile")
    gang = ViolenceType.objects.create(name="Gang violence", slug="gang-violence")
    prevention = Theme.objects.create(name="Violence prevention", slug="violence-prevention")
    medellin = City.objects.create(name="Medellín", slug="medellin", country="Colombia")
    return {
        "post_conflict": post_conflict,
        "fragile": fragile,
        "gang": gang,
        "prevention": prevention,
        "city": medellin,
    }


def csv_upload(text, encoding="utf-8"):
    return SimpleUploadedFile("entries.csv", text.encode(encoding), content_type="text/csv")


def dry_run(client, upload, file_format=CSV_FORMAT):
    return client.post(IMPORT_URL, {"resource": "0", "format": file_format, "import_file": upload})


GOOD_CSV = HEADER + (
    "Safer Cities toolkit,safer-cities-toolkit,Tool,A toolkit.,UN-Habitat,UN-Habitat,2019,en,"
    'https://example.org/toolkit,published,"post-conflict,fragile",gang-violence,violence-prevention,medellin,'
    '"youth, mediation"\n'
    "Violencia urbana,,Case study,Un estudio.,,,2021,Spanish,,,,,,,\n"
)


class TestImport:
    def test_bad_rows_are_listed_by_the_dry_run_and_nothing_is_written(self, organizer_client, vocabulary):
        text = HEADER + (
            "A good row,good-row,tool,,,,2020,en,,draft,fragile,,,,\n"
            "Bad kind,bad-kind,poem,,,,2020,en,,draft,,,,,\n"
            "Bad facets,bad-facets,tool,,,,1492,en,,draft,atlantis,,no-such-theme,,\n"
        )
        response = dry_run(organizer_client, csv_upload(text))
        assert response.status_code == 200
        content = response.content.decode()
        assert "&#x27;poem&#x27; is not one of: tool, mechanism" in content
        assert "Unknown city type: atlantis." in content
        assert "Unknown theme: no-such-theme." in content
        assert "The year must be between 1900 and 2100." in content
        assert "Confirm import" not in content
        assert not Entry.objects.exists()

    def test_good_rows_are_previewed_then_imported_with_their_facets(self, organizer_client, organizer, vocabulary):
        response = dry_run(organizer_client, csv_upload(GOOD_CSV))
        assert response.status_code == 200
        assert "Confirm import" in response.content.decode()
        assert not Entry.objects.exists()  # the dry run was rolled back

        confirm = response.context["confirm_form"]
        response = organizer_client.post(PROCESS_URL, confirm.initial)
        assert response.status_code == 302

        toolkit = Entry.objects.get(slug="safer-cities-toolkit")
        assert (toolkit.title, toolkit.kind, toolkit.year, toolkit.status) == (
            "Safer Cities toolkit",
            "tool",
            2019,
            "published",
        )
        assert toolkit.published_at is not None
        assert toolkit.curated_by == organizer
        assert set(toolkit.city_types.values_list("slug", flat=True)) == {"post-conflict", "fragile"}
        assert list(toolkit.violence_types.values_list("slug", flat=True)) == ["gang-violence"]
        assert list(toolkit.themes.values_list("slug", flat=True)) == ["violence-prevention"]
        assert list(toolkit.cities.values_list("slug", flat=True)) == ["medellin"]
        assert sorted(toolkit.tags.names()) == ["mediation", "youth"]
        # The authors column is read as creators: here one organization.
        assert [(c.kind, c.name) for c in toolkit.creators_in_order()] == [("organization", "UN-Habitat")]
        # An empty slug is made from the title; labels are accepted for kind and language.
        case = Entry.objects.get(slug="violencia-urbana")
        assert (case.kind, case.language, case.status) == ("case_study", "es", EntryStatus.DRAFT)

    def test_importing_an_existing_slug_updates_that_entry(self, organizer_client, vocabulary):
        Entry.objects.create(kind="tool", title="Old title", slug="safer-cities-toolkit", year=2000)
        response = dry_run(organizer_client, csv_upload(GOOD_CSV))
        organizer_client.post(PROCESS_URL, response.context["confirm_form"].initial)
        assert Entry.objects.count() == 2
        assert Entry.objects.get(slug="safer-cities-toolkit").title == "Safer Cities toolkit"

    def test_confirmed_import_is_one_transaction(self, organizer_client, vocabulary):
        text = HEADER + (
            "First entry,first-entry,tool,,,,2020,en,,draft,,,,,\n"
            "Second entry,second-entry,tool,,,,2020,en,,draft,,,violence-prevention,,\n"
        )
        response = dry_run(organizer_client, csv_upload(text))
        confirm = response.context["confirm_form"].initial
        # Between the preview and the confirmation the theme of the second row is deleted: the
        # confirmed import fails on that row, and the first row is not kept either.
        Theme.objects.filter(slug="violence-prevention").delete()
        response = organizer_client.post(PROCESS_URL, confirm, follow=True)
        assert "Nothing was imported: some rows are no longer valid." in response.content.decode()
        assert not Entry.objects.exists()

    def test_non_utf8_csv_gets_a_clear_error(self, organizer_client, vocabulary):
        text = HEADER + "Violência urbana,violencia,case_study,,,,2021,pt,,,,,,,\n"
        response = dry_run(organizer_client, csv_upload(text, encoding="latin-1"))
        assert response.status_code == 200
        assert "Line 2 of the file is not UTF-8 text" in response.content.decode()
        assert "save the file as &#x27;CSV UTF-8&#x27;" in response.content.decode()
        assert not Entry.objects.exists()

    def test_oversized_file_is_refused(self, organizer_client, vocabulary, settings):
        settings.ENTRY_IMPORT_MAX_BYTES = 100
        response = dry_run(organizer_client, csv_upload(GOOD_CSV))
        size = filesizeformat(len(GOOD_CSV.encode()))
        assert f"The file is {size}; the limit is 100\xa0bytes." in response.content.decode()
        assert not Entry.objects.exists()

    def test_a_non_workbook_chosen_as_xlsx_is_refused(self, organizer_client, vocabulary):
        response = dry_run(organizer_client, csv_upload(GOOD_CSV), file_format=XLSX_FORMAT)
        assert "The file is not an XLSX workbook." in response.content.decode()

    def test_an_xlsx_zip_bomb_is_refused_before_openpyxl_opens_it(self, organizer_client, vocabulary):
        workbook = openpyxl.Workbook()
        workbook.active.append(["title", "slug"])
        output = io.BytesIO()
        workbook.save(output)
        bomb = with_extra_zip_entries(output.getvalue(), {"xl/media/padding.bin": b"\0" * (20 * 1024 * 1024)})
        response = dry_run(organizer_client, SimpleUploadedFile("entries.xlsx", bomb), XLSX_FORMAT)
        assert "compressed suspiciously well" in response.content.decode()

    def test_a_staff_member_without_entry_permissions_cannot_import(self, client, db):
        clerk = get_user_model().objects.create_user("clerk", password="clerk-pass-123", is_staff=True)
        clerk.user_permissions.add(Permission.objects.get(codename="view_entry"))
        client.force_login(clerk)
        assert client.get(IMPORT_URL).status_code == 403


class TestExport:
    def export(self, client, file_format=CSV_FORMAT, query=""):
        data = {"resource": "0", "format": file_format}
        data.update({f"entryresource_{name}": "on" for name in EntryResource._meta.fields})
        response = client.post(EXPORT_URL + query, data)
        assert response.status_code == 200
        return response

    def test_csv_export_neutralises_formulas(self, organizer_client, vocabulary):
        entry = Entry.objects.create(
            kind="tool",
            title="=cmd|' /C calc'!A0",
            slug="formula",
            summary="@SUM(1+1)",
            publisher="-2+3",
        )
        entry.creators.create(family="+1+1")
        entry.city_types.add(vocabulary["fragile"], vocabulary["post_conflict"])
        entry.tags.add("youth")
        response = self.export(organizer_client)
        text = response.content.decode("utf-8-sig")
        row = next(row for row in csv.DictReader(io.StringIO(text)) if row["slug"] == "formula")
        assert row["title"] == "'=cmd|' /C calc'!A0"
        assert row["summary"] == "'@SUM(1+1)"
        assert row["authors"] == "'+1+1"
        assert row["publisher"] == "'-2+3"
        assert row["city_types"] == "fragile,post-conflict"
        assert row["tags"] == "youth"

    def test_exported_csv_imports_back_unchanged(self, organizer_client, vocabulary):
        entry = Entry.objects.create(kind="tool", title="=1+1 is not a formula", slug="formula", year=2020)
        entry.creators.create(family="Müller-Öztürk", given="Ayşe", orcid="0000-0002-1825-0097")
        entry.creators.create(kind="organization", name="UN-Habitat", position=1)
        exported = self.export(organizer_client).content
        Entry.objects.all().delete()
        response = dry_run(organizer_client, SimpleUploadedFile("entries.csv", exported))
        organizer_client.post(PROCESS_URL, response.context["confirm_form"].initial)
        imported = Entry.objects.get(slug="formula")
        assert imported.title == "=1+1 is not a formula"
        assert [c.inverted_name for c in imported.creators_in_order()] == ["Müller-Öztürk, Ayşe", "UN-Habitat"]

    def test_xlsx_export_holds_text_not_formulas(self, organizer_client, vocabulary):
        Entry.objects.create(kind="tool", title='=HYPERLINK("http://evil")', slug="formula")
        workbook = openpyxl.load_workbook(io.BytesIO(self.export(organizer_client, XLSX_FORMAT).content))
        sheet = workbook.active
        title = sheet.cell(row=2, column=1)
        assert title.data_type == "s"
        assert title.value == '\'=HYPERLINK("http://evil")'

    def test_xlsx_export_imports_back(self, organizer_client, vocabulary):
        entry = Entry.objects.create(kind="case_study", title="Medellín", slug="medellin-case", year=2018)
        entry.themes.add(vocabulary["prevention"])
        exported = self.export(organizer_client, XLSX_FORMAT).content
        Entry.objects.all().delete()
        response = dry_run(organizer_client, SimpleUploadedFile("entries.xlsx", exported), XLSX_FORMAT)
        organizer_client.post(PROCESS_URL, response.context["confirm_form"].initial)
        imported = Entry.objects.get(slug="medellin-case")
        assert (imported.title, imported.year) == ("Medellín", 2018)
        assert list(imported.themes.values_list("slug", flat=True)) == ["violence-prevention"]

    def test_export_follows_the_changelist_filter(self, organizer_client, vocabulary):
        Entry.objects.create(kind="tool", title="A tool", slug="a-tool")
        Entry.objects.create(kind="case_study", title="A case", slug="a-case")
        text = self.export(organizer_client, query="?kind__exact=tool").content.decode("utf-8-sig")
        assert [row["slug"] for row in csv.DictReader(io.StringIO(text))] == ["a-tool"]

    def test_export_costs_the_same_for_one_or_three_entries(self, organizer_client, vocabulary):
        def queries_for_export():
            with CaptureQueriesContext(connection) as captured:
                self.export(organizer_client)
            return len(captured)

        def add_entry(number):
            entry = Entry.objects.create(kind="tool", title=f"Tool {number}", slug=f"tool-{number}")
            entry.city_types.add(vocabulary["fragile"])
            entry.themes.add(vocabulary["prevention"])
            entry.cities.add(vocabulary["city"])
            entry.tags.add(f"tag-{number}")

        add_entry(1)
        one = queries_for_export()
        add_entry(2)
        add_entry(3)
        assert queries_for_export() == one
