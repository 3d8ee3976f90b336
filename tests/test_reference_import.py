"""Import from reference managers in the admin: a dry run, then all or nothing; twice changes nothing."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from depository.models import Entry, ImportStatus, ReferenceImport
from depository.services import unique_entry_slugs
from tests.depository_helpers import make_entry
from tests.members_helpers import run_task_worker

pytestmark = pytest.mark.django_db
STARTER = Path("/work/shared/literature/starter.ris")
if not STARTER.exists():  # the copy the records loader ships
    STARTER = Path(__file__).resolve().parent.parent / "portal" / "records" / "literature.ris"
ADD_URL = reverse("admin:depository_referenceimport_add")

BIBTEX = r"""
@techreport{unodc2019,
  author = {{United Nations Office on Drugs and Crime}},
  title = {Global Study on Homicide},
  institution = {UNODC},
  year = {2019},
  doi = {10.18356/ABC-GSH},
}
@article{muggah2012,
  author = {Muggah, Robert and J{\"u}tersonke, Oliver and de Boer, John},
  title = {Urban Violence: {Latin} America's Cities},
  year = {2012},
  journal = {Stability},
  url = {https://doi.org/10.5334/sta.xx},
}
@book{broken,
  title = {A Book With a Bad ISBN},
  author = {Lee, Kim},
  isbn = {0-306-40615-3},
  year = {2001},
}
"""

CSL_JSON = [
    {
        "id": "a",
        "type": "report",
        "title": "Cities and crime",
        "author": [{"literal": "UN-Habitat"}, {"family": "Pérez", "given": "Ana"}],
        "editor": [{"family": "Smith", "given": "John"}],
        "issued": {"date-parts": [[2015]]},
        "number": "HS/045/15E",
        "DOI": "10.18356/cc",
    },
    {"id": "b", "type": "book", "title": "", "issued": {"date-parts": [[2015]]}},
    {
        "id": "c",
        "type": "report",
        "title": "Cities and crime",
        "author": [{"literal": "UN-Habitat"}],
        "issued": {"date-parts": [[2015]]},
    },
]


def upload(client, name, content):
    data = content.encode() if isinstance(content, str) else content
    return client.post(ADD_URL, {"file": SimpleUploadedFile(name, data)})


def check_and_confirm(client, name, content):
    response = upload(client, name, content)
    assert response.status_code == 302, response.content.decode()
    upload_row = ReferenceImport.objects.latest("created_at")
    page = client.get(response["Location"])
    confirmed = client.post(reverse("admin:depository_referenceimport_confirm", args=[upload_row.pk]))
    assert confirmed.status_code == 302
    upload_row.refresh_from_db()
    return upload_row, page.content.decode()


def test_importing_the_starter_twice_gives_14_entries(organizer_client, django_assert_num_queries):
    text = STARTER.read_text(encoding="utf-8")
    # The dry run writes nothing but its record, and lists each record.
    response = upload(organizer_client, "starter.ris", text)
    assert response.status_code == 302
    assert not Entry.objects.exists()
    checked = ReferenceImport.objects.get()
    assert (checked.status, checked.total, checked.new_count) == (ImportStatus.CHECKED, 14, 14)
    page = organizer_client.get(response["Location"]).content.decode()
    assert "14 records (RIS): 14 new, 0 duplicates, 0 errors." in page
    assert "Guns and the City" in page and "Import 14 new entries" in page

    organizer_client.post(reverse("admin:depository_referenceimport_confirm", args=[checked.pk]))
    checked.refresh_from_db()
    assert (checked.status, checked.created_count) == (ImportStatus.DONE, 14)
    assert Entry.objects.count() == 14
    gangs = Entry.objects.get(title__startswith="Gangs, Urban Violence")
    assert [(c.kind, c.family, c.given) for c in gangs.creators_in_order()] == [
        ("person", "Jütersonke", "Oliver"),
        ("person", "Muggah", "Robert"),
        ("person", "Rodgers", "Dennis"),
    ]
    bank = Entry.objects.get(title__startswith="World Development Report 2011")
    assert [(c.kind, c.name) for c in bank.creators_in_order()] == [("organization", "World Bank")]
    assert (bank.kind, bank.status, bank.annotation, bank.year) == ("publication", "draft", "", 2011)

    # Again: every record is a duplicate of the entry it made, and confirming creates nothing.
    again, page = check_and_confirm(organizer_client, "starter.ris", text)
    assert "14 records (RIS): 0 new, 14 duplicates, 0 errors." in page
    assert (again.status, again.created_count, again.duplicate_count) == (ImportStatus.DONE, 0, 14)
    assert Entry.objects.count() == 14
    # Confirming the same check a second time (a double click) imports nothing more.
    organizer_client.post(reverse("admin:depository_referenceimport_confirm", args=[checked.pk]))
    assert Entry.objects.count() == 14


def test_bibtex_organizations_particles_dois_and_errors(organizer_client):
    result, page = check_and_confirm(organizer_client, "zotero.bib", BIBTEX)
    # An ISBN whose checksum fails costs the record nothing: it is kept as written, with a warning.
    assert (result.new_count, result.error_count, result.created_count) == (3, 0, 3)
    assert "the ISBN “0-306-40615-3” did not pass its check: kept as written" in page
    assert "new, with warnings" in page
    unodc = Entry.objects.get(doi="10.18356/abc-gsh")
    assert [(c.kind, c.name) for c in unodc.creators_in_order()] == [
        ("organization", "United Nations Office on Drugs and Crime")
    ]
    urban = Entry.objects.get(title="Urban Violence: Latin America's Cities")
    assert urban.doi == "10.5334/sta.xx"  # from its doi.org link
    assert [(c.family, c.given) for c in urban.creators_in_order()] == [
        ("Muggah", "Robert"),
        ("Jütersonke", "Oliver"),
        ("de Boer", "John"),
    ]
    book = Entry.objects.get(title__startswith="A Book With")
    assert (book.isbn, book.other_variables["ISBN"], book.item_type) == ("", "0-306-40615-3", "book")


def test_csl_json_roles_report_numbers_and_duplicates_within_the_file(organizer_client):
    make_entry("Older entry", doi="10.18356/cc")
    result, page = check_and_confirm(organizer_client, "mendeley.json", json.dumps(CSL_JSON))
    outcomes = [row["outcome"] for row in result.outcomes]
    assert outcomes == ["duplicate", "error", "new"]
    assert "same DOI" in page and "no title" in page
    entry = Entry.objects.get(title="Cities and crime")
    assert [(c.role, c.display_name) for c in entry.creators_in_order()] == [("author", "UN-Habitat")]

    # A file holding the same work twice imports it once.
    twice = [CSL_JSON[2], {**CSL_JSON[2], "id": "d", "title": "Cities and Crime!"}]
    Entry.objects.filter(title="Cities and crime").delete()
    result, page = check_and_confirm(organizer_client, "twice.json", json.dumps(twice))
    assert [row["outcome"] for row in result.outcomes] == ["new", "duplicate"]
    assert "same as record 1 of this file" in page
    assert Entry.objects.filter(title="Cities and crime").count() == 1


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.txt", "Just some notes", "not a RIS, BibTeX or CSL-JSON file"),
        ("broken.json", "[{", "could not be read as csl-json"),
        ("latin1.ris", "TY  - RPRT\nTI  - Caf\xe9\nER  - \n".encode("latin-1"), "not UTF-8"),
        ("empty.json", "[]", "holds no references"),
    ],
)
def test_an_unreadable_file_is_a_400_and_saves_nothing(organizer_client, name, content, message):
    response = upload(organizer_client, name, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReferenceImport.objects.exists() and not Entry.objects.exists()


def test_members_and_the_public_cannot_import(client, member_client):
    assert member_client.get(ADD_URL).status_code == 302  # to the admin's log-in
    assert client.post(ADD_URL, {}).status_code == 302
    assert not ReferenceImport.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the task is queued when the confirmation commits
def test_a_large_file_runs_in_the_background_with_its_progress(organizer_client):
    records = "".join(
        f"TY  - BOOK\nAU  - Author {n}, Ana\nPY  - 2010\nTI  - Work number {n}\nER  - \n\n" for n in range(501)
    )
    response = upload(organizer_client, "large.ris", records)
    checked = ReferenceImport.objects.get()
    organizer_client.post(reverse("admin:depository_referenceimport_confirm", args=[checked.pk]))
    checked.refresh_from_db()
    assert checked.status == ImportStatus.QUEUED and not Entry.objects.exists()
    page = organizer_client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh"' in page and "0 of 501 records checked (0%)" in page
    run_task_worker()
    checked.refresh_from_db()
    assert (checked.status, checked.processed, checked.created_count) == (ImportStatus.DONE, 501, 501)
    assert Entry.objects.count() == 501
    assert "501 entries created (as drafts)." in organizer_client.get(response["Location"]).content.decode()


def test_unique_entry_slugs():
    make_entry("Taken", slug="guns-and-the-city")
    make_entry("Taken too", slug="guns-and-the-city-2")
    titles = ["Guns and the City", "Guns and the city!", "المدن الآمنة", "مدن", "Cities"]
    # Arabic titles are transliterated (python-slugify with text-unidecode), not left as "entry".
    assert unique_entry_slugs(titles) == ["guns-and-the-city-3", "guns-and-the-city-4", "lmdn-lmn", "mdn", "cities"]


def test_the_records_loader_offers_the_starter_as_the_first_works(twg_records):
    from portal.records import load_records

    works = Entry.objects.published().filter(kind="publication", title__contains="Global Burden of Armed Violence")
    assert works.count() == 3
    assert not any(work.annotation for work in works)
    before = Entry.objects.count()
    assert load_records().changed_nothing
    assert Entry.objects.count() == before


def test_unique_entry_slugs_for_thousands_of_titles_in_one_query(django_assert_num_queries):
    """A 10,000-row import without slugs: the slugs taken are found by one join, whatever the number
    of titles (a regular expression of the titles ORed was "too complex" past a few thousand)."""
    make_entry("Taken", slug="report-7")  # a base that itself ends like a suffix
    make_entry("Taken too", slug="report-8-2")
    titles = [f"Report {number}" for number in range(5000)]
    with django_assert_num_queries(1):
        slugs = unique_entry_slugs(titles)
    assert len(set(slugs)) == 5000
    assert slugs[7] == "report-7-2" and slugs[8] == "report-8" and slugs[9] == "report-9"
