"""The whole record on import (issue 20): every field a reference manager writes is kept, a value that
fails a check is kept as written with a warning, and one bad record never costs the file."""

import json

import pytest
from django.urls import reverse

from depository.models import Entry, ReferenceImport
from depository.references import check_upload, read_references, run_import
from tests.test_reference_import import check_and_confirm, upload

pytestmark = pytest.mark.django_db

# As Zotero writes a journal article (its RIS export), with what EndNote adds (N2, M3, L1, a second UR).
JOURNAL_ARTICLE_RIS = """TY  - JOUR
TI  - Slum Wars of the 21st Century: Gangs, Mano Dura and the New Urban Geography of Conflict
AU  - Jones, Gareth A.
AU  - Rodgers, Dennis
T2  - International Review of the Red Cross
J2  - Int. Rev. Red Cross
VL  - 92
IS  - 878
SP  - 373
EP  - 408
PY  - 2010
DA  - 2010/06/15/
Y2  - 2024/03/02/
CY  - Cambridge
PB  - Cambridge University Press
SN  - 1816-3831
DO  - 10.1017/S1816383110000342
UR  - https://international-review.icrc.org/articles/slum-wars
UR  - https://www.cambridge.org/core/article/slum-wars
KW  - gangs
KW  - mano dura
KW  - urban geography
N2  - Violence in cities of the global South is increasingly framed as war.
N1  - Read for the literature review, chapter 2.
M3  - Research article
LA  - en
ST  - Slum Wars
L1  - file:///C:/Users/someone/slum-wars.pdf
C1  - A custom field
ER  -
"""

# Tags written with one space ('TY - '), as some exporters do.
ONE_SPACE_RIS = "TY - RPRT\nTI - Safer Cities Toolkit\nAU - UN-Habitat\nPY - 2015\nSN - HS/023/15E\nER - \n"


def test_a_journal_article_keeps_every_field():
    [reference] = read_references(JOURNAL_ARTICLE_RIS, "ris")
    assert not reference.error and reference.warnings == []
    result = run_import(text=JOURNAL_ARTICLE_RIS, fmt="ris")
    entry = Entry.objects.get(pk=result.entries[0].pk)
    assert entry.item_type == "article-journal" and entry.kind == "publication"
    assert (entry.container_title, entry.container_title_short) == (
        "International Review of the Red Cross",
        "Int. Rev. Red Cross",
    )
    assert (entry.volume, entry.issue, entry.page) == ("92", "878", "373-408")
    assert (entry.year, str(entry.date_issued), entry.date_issued_precision) == (2010, "2010-06-15", "day")
    assert str(entry.accessed) == "2024-03-02"
    assert (entry.publisher, entry.publisher_place, entry.issn) == (
        "Cambridge University Press",
        "Cambridge",
        "1816-3831",
    )
    assert entry.doi == "10.1017/s1816383110000342"
    assert entry.external_url == "https://international-review.icrc.org/articles/slum-wars"
    assert (
        entry.abstract.startswith("Violence in cities") and entry.note == "Read for the literature review, chapter 2."
    )
    assert (entry.genre, entry.title_short) == ("Research article", "Slum Wars")
    assert sorted(entry.tags.names()) == ["gangs", "mano dura", "urban geography"]
    assert entry.other_variables == {
        "ris:UR": ["https://www.cambridge.org/core/article/slum-wars"],
        "ris:L1": "file:///C:/Users/someone/slum-wars.pdf",
        "ris:C1": "A custom field",
    }
    assert [(c.family, c.given) for c in entry.creators_in_order()] == [("Jones", "Gareth A."), ("Rodgers", "Dennis")]


def test_tags_written_with_one_space_are_read(organizer_client):
    result, page = check_and_confirm(organizer_client, "toolkit.ris", ONE_SPACE_RIS)
    assert (result.new_count, result.created_count) == (1, 1)
    entry = Entry.objects.get(title="Safer Cities Toolkit")
    assert (entry.item_type, entry.report_number, entry.year) == ("report", "HS/023/15E", 2015)
    assert [c.name for c in entry.creators_in_order()] == ["UN-Habitat"]


def test_values_that_fail_a_check_are_kept_as_written_and_the_file_is_imported(organizer_client):
    """The kept-back files' refusals, one record each: an invalid URL, an ISBN failing its checksum, a
    DOI written `doi`, an ISSN in the ISBN tag, a title over 300 characters, a date that is no date."""
    long_title = "A study of " + "urban violence and peacebuilding " * 20
    records = [
        "TY  - GEN\nTI  - Act Name\nUR  - htp//not a link\nPY  - 2019\nER  - \n",
        "TY  - BOOK\nTI  - Bad ISBN\nSN  - 0-306-40615-3\nPY  - 2001\nER  - \n",
        "TY  - JOUR\nTI  - Bad DOI\nDO  - doi\nPY  - 2003\nER  - \n",
        "TY  - BOOK\nTI  - An ISSN as ISBN\nSN  - 0378-5955\nPY  - 2004\nER  - \n",
        f"TY  - RPRT\nTI  - {long_title}\nPY  - 2005\nER  - \n",
        "TY  - RPRT\nTI  - No date\nPY  - n.d.\nER  - \n",
    ]
    result, page = check_and_confirm(organizer_client, "oddities.ris", "\n".join(records))
    assert (result.total, result.new_count, result.error_count, result.created_count) == (6, 6, 0, 6)
    assert "new, with warnings" in page and "the link “htp//not a link” is not a web address" in page
    assert Entry.objects.get(title="Act Name").other_variables == {"URL": "htp//not a link"}
    assert Entry.objects.get(title="Bad ISBN").other_variables == {"ISBN": "0-306-40615-3"}
    assert Entry.objects.get(title="Bad DOI").other_variables == {"DOI": "doi"}
    assert Entry.objects.get(title="An ISSN as ISBN").issn == "0378-5955"
    assert len(long_title.strip()) > 600
    work = Entry.objects.get(title__startswith="A study of urban")
    assert len(work.title) <= 600 and work.other_variables["title"] == long_title.strip()
    assert Entry.objects.get(title="No date").year is None


def test_a_record_that_cannot_be_an_entry_is_left_out_and_the_others_imported(organizer_client):
    items = [
        {"type": "book", "title": "Fine", "issued": {"date-parts": [[2015, 4]]}},
        {"type": "book", "title": ""},
        {"type": "book", "title": 12345, "author": {"family": "Not", "given": "a list"}, "issued": "2016"},
        {"type": "report", "title": "Too many", "author": [{"family": f"Author {n}"} for n in range(501)]},
        {"type": "report", "title": "Deep", "note": [[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]},
        "not an item",
    ]
    result, page = check_and_confirm(organizer_client, "mixed.json", json.dumps(items))
    assert [row["outcome"] for row in result.outcomes] == ["new", "error", "new", "error", "error", "error"]
    assert "no title" in page and "nests deeper" in page and "must be an object" in page
    assert result.created_count == 2
    fine = Entry.objects.get(title="Fine")
    assert (str(fine.date_issued), fine.date_issued_precision) == ("2015-04-01", "month")
    numbered = Entry.objects.get(title="12345")
    assert (numbered.year, [c.family for c in numbered.creators_in_order()]) == (2016, ["Not"])


def test_bibtex_that_bibtexparser_sets_aside_is_read():
    """Names the middleware cannot split ("'str' object has no attribute 'last'" refused the file), a
    repeated field and a repeated key: every record is read, the repeated values kept."""
    text = r"""@string{un = {United Nations}}
@article{smith2019, author = {a, b, c, d}, title = {Names Left Unsplit}, journal = {Urban Studies}, year = 2019}
@techreport{smith2019, title = {Same Key}, institution = un, number = {7}, year = {2020}, month = mar}
@book{lee, title = {Repeated Keywords}, keywords = {cities, safety}, keywords = {violence}, year = {2001},
  pagetotal = {250}, series = {Urban Series}, edition = {2}, address = {Nairobi}}
"""
    references = read_references(text, "bibtex")
    assert [r.error for r in references] == ["", "", ""]
    first, second, third = (r.values for r in references)
    assert (first.fields["container_title"], first.creators[0]["family"]) == ("Urban Studies", "a")
    assert (second.fields["publisher"], second.fields["report_number"]) == ("United Nations", "7")
    assert (str(second.fields["date_issued"]), second.fields["date_issued_precision"]) == ("2020-03-01", "month")
    assert third.keywords == ["cities", "safety", "violence"]
    assert (third.fields["number_of_pages"], third.fields["collection_title"], third.fields["edition"]) == (
        "250",
        "Urban Series",
        "2",
    )
    assert third.fields["publisher_place"] == "Nairobi"


def test_the_dry_run_checks_a_file_in_a_fixed_number_of_queries(organizer, django_assert_max_num_queries):
    text = JOURNAL_ARTICLE_RIS * 30
    with django_assert_max_num_queries(4):
        checked = check_upload(file_name="thirty.ris", text=text, user=organizer)
    assert checked.total == 30 and checked.new_count == 1 and checked.duplicate_count == 29


def test_a_csl_json_file_that_nests_without_end_is_a_400(organizer_client):
    response = upload(organizer_client, "deep.json", "[" * 100000 + "]" * 100000)
    assert response.status_code == 400
    assert not ReferenceImport.objects.exists()


def test_the_import_page_lists_each_records_warnings(organizer_client):
    upload(organizer_client, "one.ris", "TY  - BOOK\nTI  - Bad ISBN\nSN  - 0-306-40615-3\nER  - \n")
    checked = ReferenceImport.objects.get()
    page = organizer_client.get(reverse("admin:depository_referenceimport_change", args=[checked.pk])).content.decode()
    assert "1 new record has warnings" in page and "did not pass its check" in page
