"""Exporting a meeting's participant list as CSV: staff only, safe to open in a spreadsheet."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Meeting, Participation
from meetings.services.participant_import import plan_participant_import
from members.models import Member
from people.models import Person

pytestmark = pytest.mark.django_db


def export_url(meeting):
    return reverse("admin:meetings_meeting_export_participants", args=[meeting.pk])


def test_organizer_exports_the_inception_list(organizer_client, twg_records):
    inception = Meeting.objects.get(slug="inception-meeting-2014")
    response = organizer_client.get(export_url(inception))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="inception-meeting-2014-participants.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["name", "title", "organization", "city", "role", "disclosure"]
    assert len(rows) == 22
    assert rows[1] == [
        "Anna Alvazzi del Frate",
        "Research Director",
        "Small Arms Survey",
        "Geneva",
        "Kick-off presenter",
        "public",
    ]


def test_cells_that_a_spreadsheet_would_run_are_neutralised(organizer_client, twg_records):
    inception = Meeting.objects.get(slug="inception-meeting-2014")
    person = Person.objects.create(name="=cmd|' /C calc'!A0", slug="formula")
    Participation.objects.create(meeting=inception, person=person, title="+SUM(A1:A9)", position=99)
    rows = list(csv.reader(io.StringIO(organizer_client.get(export_url(inception)).content.decode())))
    assert rows[-1][:2] == ["'=cmd|' /C calc'!A0", "'+SUM(A1:A9)"]


def test_an_exported_list_imports_again_matching_everyone(organizer_client, twg_records):
    inception = Meeting.objects.get(slug="inception-meeting-2014")
    text = organizer_client.get(export_url(inception)).content.decode()
    other = Meeting.objects.get(slug="corregidora-meeting-2015")
    plan = plan_participant_import(meeting=other, text=text)
    assert plan.can_commit
    assert len(plan.rows) == 21
    assert not [row for row in plan.rows if row.new_person or row.new_organization]


def test_export_is_refused_to_everyone_else(client, twg_records):
    inception = Meeting.objects.get(slug="inception-meeting-2014")
    assert client.get(export_url(inception)).status_code == 302  # anonymous: to the login page
    member = get_user_model().objects.create_user("mia", password="member-pass-1")
    Member.objects.create(user=member)
    client.force_login(member)
    assert client.get(export_url(inception)).status_code == 302  # not staff: to the login page
    staff = get_user_model().objects.create_user("sam", password="staff-pass-12", is_staff=True)
    client.force_login(staff)
    assert client.get(export_url(inception)).status_code == 403


def test_export_query_count_does_not_grow(organizer_client, twg_records):
    second = Meeting.objects.get(slug="second-meeting-2015")
    corregidora = Meeting.objects.get(slug="corregidora-meeting-2015")
    Participation.objects.create(meeting=corregidora, person=Person.objects.get(slug="juma-assiago"))
    organizer_client.get(export_url(corregidora))
    with CaptureQueriesContext(connection) as one:
        organizer_client.get(export_url(corregidora))
    with CaptureQueriesContext(connection) as twenty:
        organizer_client.get(export_url(second))
    assert len(one) == len(twenty)
