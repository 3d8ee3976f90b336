"""The participant import reads columns by their header, never takes a header for a person, and
flags a new name close to a recorded one before creating it (issue 22, finding 9)."""

import datetime

import pytest

from meetings.models import Meeting
from meetings.services.participant_import import import_participants, plan_participant_import
from people.models import Organization, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(db):
    Organization.objects.create(name="Geneva Peacebuilding Platform", slug="gpp", acronym="GPP")
    return Meeting.objects.create(
        name="Third meeting", slug="third", status="planned", start_date=datetime.date(2016, 10, 17)
    )


def plan(meeting, text):
    return plan_participant_import(meeting=meeting, text=text)


def test_a_header_in_another_order_says_which_column_is_which(meeting):
    result = plan(meeting, "Organisation,Name,Position\nGPP,Amal Haddad,Researcher\n")
    (row,) = result.rows
    assert (row.name, row.title, row.organization.slug) == ("Amal Haddad", "Researcher", "gpp")
    assert result.can_commit


@pytest.mark.parametrize(
    "header",
    [
        "  NAME ;  Job title ; ORGANIZATION ",  # case and spacing
        "Nombre;Cargo;Organización",  # Spanish
        "Nom;Fonction;Organisation",  # French
        "الاسم;المنصب;المنظمة",  # Arabic
    ],
)
def test_header_words_in_any_case_and_in_the_portal_s_languages(meeting, header):
    (row,) = plan(meeting, f"{header}\nAmal Haddad;Researcher;GPP\n").rows
    assert (row.line, row.name, row.title, row.organization.slug) == (2, "Amal Haddad", "Researcher", "gpp")


def test_a_header_is_never_taken_for_a_person(meeting):
    """As found: 'Name, Position, Organisation' was read by position and 'Name' became a person."""
    result = plan(meeting, "Name,Position,Organisation\nAmal Haddad,Researcher,GPP\n")
    assert [row.name for row in result.rows] == ["Amal Haddad"]
    import_participants(meeting=meeting, text="Name,Position,Organisation\nAmal Haddad,Researcher,GPP\n")
    assert list(Person.objects.values_list("name", flat=True)) == ["Amal Haddad"]


def test_a_header_with_a_column_the_import_does_not_know_is_refused(meeting):
    result = plan(meeting, "Name,Position,E-mail\nAmal Haddad,Researcher,amal@example.org\n")
    assert not result.can_commit
    assert result.errors == [
        "The first row names columns, but not these: E-mail (the columns are name, title, organization, city, "
        "role, disclosure)."
    ]


def test_a_header_row_further_down_is_an_invalid_row(meeting):
    """Two lists pasted one after the other: the second header is not a person either."""
    result = plan(meeting, "Amal Haddad,Researcher,GPP\nName,Title,Organization\nBilal Haddad,Researcher,GPP\n")
    assert not result.can_commit
    (bad,) = result.invalid_rows
    assert bad.line == 2 and bad.errors == ["This row names columns, like a header: it is not a person. Remove it."]


def test_without_a_header_the_columns_are_read_in_their_documented_order(meeting):
    (row,) = plan(meeting, "Amal Haddad,Researcher,GPP,,rapporteur\n").rows
    assert (row.name, row.title, row.organization.slug, row.role) == ("Amal Haddad", "Researcher", "gpp", "rapporteur")


def test_a_name_close_to_a_recorded_person_is_flagged_in_the_preview(meeting):
    Person.objects.create(name="Achim Wennmann", slug="achim-wennmann")
    (row,) = plan(meeting, "Achim Wenmann,Executive Coordinator,GPP\n").rows
    assert row.new_person
    assert row.notes == [
        "Not recorded, but close to “Achim Wennmann”: if this is the same person, correct the spelling (or add "
        "it to their other spellings) before importing; otherwise a new person is created."
    ]


def test_two_close_new_names_in_one_list_are_flagged(meeting):
    rows = plan(meeting, "Achim Wennmann,Coordinator,GPP\nAchim Wenmann,Coordinator,GPP\n").rows
    assert rows[0].notes == []
    assert "close to “achim wennmann”" in rows[1].notes[0]


def test_different_people_with_similar_names_are_not_flagged(meeting):
    Person.objects.create(name="Ana Perez", slug="ana-perez")
    (row,) = plan(meeting, "Ana Lopez,Researcher,GPP\n").rows
    assert row.notes == []
