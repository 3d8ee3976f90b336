"""Importing a participant list in the admin: a preview that writes nothing, then all rows or none."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Meeting, Participation
from meetings.services.participant_import import import_participants, plan_participant_import
from people.models import Organization, Person
from places.models import City

pytestmark = pytest.mark.django_db

GOOD_LIST = """name,title,organization,city,role
charlotte l. warakulle,"Chief of Section",UNOG,Geneva,participant
OLIVER JUTERSONKE,Head of Research,Graduate Institute,,kick-off presenter
Amal Haddad,Programme Officer,Beirut Urban Lab,Tripoli,Rapporteur
Bilal Haddad,Researcher,beirut urban lab,Tripoli,
"""


@pytest.fixture
def meeting(twg_records):
    return Meeting.objects.create(
        name="Third meeting", slug="third", status="planned", start_date=datetime.date(2016, 10, 17)
    )


def url(meeting):
    return reverse("admin:meetings_meeting_import_participants", args=[meeting.pk])


def counts():
    return (Person.objects.count(), Organization.objects.count(), City.objects.count(), Participation.objects.count())


def test_preview_says_who_exists_and_who_is_new_and_writes_nothing(organizer_client, meeting):
    before = counts()
    response = organizer_client.post(url(meeting), {"text": GOOD_LIST, "preview": "1"})
    assert response.status_code == 200
    assert counts() == before
    plan = response.context["plan"]
    assert plan.can_commit
    rows = plan.rows
    assert [row.line for row in rows] == [2, 3, 4, 5]  # the header is skipped
    # Matched by another spelling, ignoring case and accents.
    assert rows[0].person.slug == "charlotte-l-warakaulle"
    assert rows[0].organization.slug == "unog"  # by acronym
    assert rows[1].person.slug == "oliver-jutersonke" and rows[1].role == "kickoff_presenter"
    assert rows[1].organization.slug == "graduate-institute"
    assert rows[2].new_person and rows[2].new_organization and rows[2].new_city and rows[2].role == "rapporteur"
    assert rows[3].role == "participant"
    content = response.content.decode()
    assert "Preview: nothing has been written yet" in content
    assert "Confirm: write all these rows" in content
    assert content.count("<strong>new</strong>") == 6  # in rows 4 and 5: the person, the organization, the city


def test_confirm_writes_every_row_in_one_go(organizer_client, meeting):
    people, organizations, cities, participations = counts()
    response = organizer_client.post(url(meeting), {"text": GOOD_LIST, "confirm": "1"})
    assert response.status_code == 302
    assert counts() == (people + 2, organizations + 1, cities + 1, participations + 4)
    listed = list(meeting.participations.order_by("position").values_list("person__name", "organization__name", "role"))
    assert listed == [
        ("Charlotte L. Warakaulle", "United Nations Office at Geneva", "participant"),
        ("Oliver Jütersonke", "Graduate Institute of International and Development Studies", "kickoff_presenter"),
        ("Amal Haddad", "Beirut Urban Lab", "rapporteur"),
        ("Bilal Haddad", "Beirut Urban Lab", "participant"),
    ]
    assert Organization.objects.get(name="Beirut Urban Lab").city.name == "Tripoli"
    follow = organizer_client.get(response["Location"])
    assert "4 participations added" in follow.content.decode()


def test_bad_rows_are_shown_and_nothing_can_be_written(organizer_client, meeting):
    bad = (
        "Amal Haddad,Officer,Beirut Urban Lab,,participant\n"
        ",No name,Somewhere,,participant\n"
        "Dana Khoury,Officer,Lab,,chairperson\n"
        "Eli,a,b,c,participant,public,extra\n"
        f"{'X' * 201},,,,\n"
    )
    before = counts()
    response = organizer_client.post(url(meeting), {"text": bad, "preview": "1"})
    assert response.status_code == 400
    plan = response.context["plan"]
    assert [row.line for row in plan.invalid_rows] == [2, 3, 4, 5]
    content = response.content.decode()
    assert "The name is missing." in content
    assert "Unknown role &#x27;chairperson&#x27;" in content
    assert "7 cells; a row has at most 6." in content
    assert "The name is longer than 200 characters." in content
    assert "Confirm: write all these rows" not in content
    # Even a forged confirmation writes nothing.
    response = organizer_client.post(url(meeting), {"text": bad, "confirm": "1"})
    assert response.status_code == 400
    assert counts() == before
    assert "Line 2: The name is missing." in response.content.decode()


def test_a_duplicate_person_in_the_list_is_an_invalid_row(organizer_client, meeting):
    duplicated = (
        "Charlotte L. Warakaulle,Chief,UNOG,,\ncharlotte l warakulle,Chief,UNOG,,\nAmal Haddad,,,,\namal  HADDAD,,,,\n"
    )
    response = organizer_client.post(url(meeting), {"text": duplicated, "preview": "1"})
    assert response.status_code == 400
    plan = response.context["plan"]
    assert [row.line for row in plan.invalid_rows] == [2, 4]
    assert "The same person is already on line 1 of this list." in response.content.decode()


def test_a_person_already_on_the_list_is_updated_not_duplicated(organizer_client, twg_records):
    inception = Meeting.objects.get(slug="inception-meeting-2014")
    before = counts()
    response = organizer_client.post(
        url(inception), {"text": "Jovana Carapic,Researcher,Small Arms Survey,,\n", "confirm": "1"}
    )
    assert response.status_code == 302
    assert counts() == before
    assert inception.participations.get(person__slug="jovana-carapic").title == "Researcher"
    # A blank role keeps the role on record.
    import_participants(meeting=inception, text="Sven Gusmann,,,,\n")
    assert inception.participations.get(person__slug="sven-gusmann").role == "rapporteur"


def test_a_file_that_is_not_utf8_is_refused_with_a_clear_message(organizer_client, meeting):
    latin1 = "Diego Bernardo Ríos Hoyo,Director,Centro de Atención Municipal,,\n".encode("latin-1")
    before = counts()
    response = organizer_client.post(url(meeting), {"csv_file": SimpleUploadedFile("list.csv", latin1), "preview": "1"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "The file is not UTF-8 text: byte 0xED at position 16 is not valid UTF-8" in content
    assert "Save it as &#x27;CSV UTF-8&#x27;" in content
    assert counts() == before


def test_a_utf8_file_with_byte_order_mark_is_read(organizer_client, meeting):
    data = "name,title,organization,city,role\nDiego Bernardo Ríos Hoyo,Director,,,\n".encode("utf-8-sig")
    response = organizer_client.post(url(meeting), {"csv_file": SimpleUploadedFile("list.csv", data), "confirm": "1"})
    assert response.status_code == 302
    assert meeting.participations.get().person.slug == "diego-bernardo-rios-hoyo"


def test_semicolons_and_tabs_separate_cells_too(meeting):
    for text in ["Amal Haddad;Officer;Beirut Urban Lab;;\n", "Amal Haddad\tOfficer\tBeirut Urban Lab\t\t\n"]:
        plan = plan_participant_import(meeting=meeting, text=text)
        assert plan.can_commit
        assert (plan.rows[0].name, plan.rows[0].organization_name) == ("Amal Haddad", "Beirut Urban Lab")


def test_a_file_too_large_is_refused(organizer_client, meeting, settings):
    settings.PARTICIPANT_IMPORT_MAX_BYTES = 100
    data = ("Amal Haddad,Officer,Beirut Urban Lab,,\n" * 5).encode()
    response = organizer_client.post(url(meeting), {"csv_file": SimpleUploadedFile("list.csv", data), "preview": "1"})
    assert response.status_code == 400
    assert "the limit is 100 bytes" in response.content.decode()
    assert not meeting.participations.exists()


def test_an_empty_form_is_refused(organizer_client, meeting):
    response = organizer_client.post(url(meeting), {"text": "  \n", "preview": "1"})
    assert response.status_code == 400
    assert "Paste a list or choose a file." in response.content.decode()


def test_a_failure_half_way_writes_nothing(meeting, monkeypatch):
    calls = {"count": 0}
    original = Participation.full_clean

    def fail_on_third(self, *args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 3:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Participation, "full_clean", fail_on_third)
    before = counts()
    with pytest.raises(RuntimeError):
        import_participants(meeting=meeting, text=GOOD_LIST)
    assert counts() == before


def test_the_import_page_is_for_organizers_only(client, meeting):
    page = url(meeting)
    assert client.get(page).status_code == 302  # anonymous: to the login page
    staff = get_user_model().objects.create_user("sam", password="staff-pass-12", is_staff=True)
    client.force_login(staff)
    assert client.get(page).status_code == 403
    assert client.post(page, {"text": GOOD_LIST, "confirm": "1"}).status_code == 403
    assert not meeting.participations.exists()


def test_the_meeting_change_page_links_to_import_and_export(organizer_client, meeting):
    content = organizer_client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk])).content.decode()
    assert url(meeting) in content
    assert reverse("admin:meetings_meeting_export_participants", args=[meeting.pk]) in content


def test_preview_query_count_does_not_grow_with_the_list(organizer_client, meeting):
    short = "Amal Haddad,Officer,Beirut Urban Lab,Tripoli,\n"
    long = short + "".join(f"Person {number},Officer,Lab {number},City {number},\n" for number in range(30))
    organizer_client.post(url(meeting), {"text": short, "preview": "1"})
    with CaptureQueriesContext(connection) as one_row:
        organizer_client.post(url(meeting), {"text": short, "preview": "1"})
    with CaptureQueriesContext(connection) as many_rows:
        response = organizer_client.post(url(meeting), {"text": long, "preview": "1"})
    assert len(response.context["plan"].rows) == 31
    assert len(one_row) == len(many_rows)
