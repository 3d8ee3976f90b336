"""The iCalendar files: parsed by a third-party parser, with the right dates, places and stable UIDs."""

import datetime

import icalendar
import pytest
from django.urls import reverse

from meetings import ical
from meetings.models import Meeting
from places.models import City

pytestmark = pytest.mark.django_db


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content.decode())
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_one_meeting_as_an_all_day_event(client, twg_records):
    inception = Meeting.objects.get(slug="inception-meeting-2014")
    event = events(client.get(reverse("meetings:ics", kwargs={"slug": inception.slug})))[inception.name]
    assert event.decoded("DTSTART") == datetime.date(2014, 11, 5)
    # DTEND of an all-day event is exclusive: the day after the last day.
    assert event.decoded("DTEND") == datetime.date(2014, 11, 7)
    assert str(event["LOCATION"]) == "Room IX, United Nations Office at Geneva, Geneva, Switzerland"
    assert str(event["URL"]) == f"http://testserver/meetings/{inception.slug}/"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Three specific objectives" in str(event["DESCRIPTION"])


def test_the_calendar_holds_every_dated_meeting(client, twg_records):
    found = events(client.get(reverse("meetings:calendar")))
    assert len(found) == 3  # the Beirut proposal has no dates
    second = found["2nd meeting of the Technical Working Group"]
    assert second.decoded("DTSTART") == datetime.date(2015, 9, 21)
    assert second.decoded("DTEND") == datetime.date(2015, 9, 22)
    assert "LOCATION" not in second  # the report does not say where it was held
    corregidora = found["First meeting of the Technical Working Group, Corregidora"]
    assert corregidora.decoded("DTEND") == datetime.date(2015, 3, 26)
    assert str(corregidora["STATUS"]) == "TENTATIVE"
    assert str(corregidora["LOCATION"]) == "Corregidora, Mexico"
    uids = {str(event["UID"]) for event in found.values()}
    assert len(uids) == 3


def test_uid_is_stable_when_a_meeting_is_renamed(client, twg_records):
    meeting = Meeting.objects.get(slug="second-meeting-2015")
    before = events(client.get(reverse("meetings:calendar")))[meeting.name]["UID"]
    meeting.name = "Renamed meeting"
    meeting.save()
    after = events(client.get(reverse("meetings:calendar")))["Renamed meeting"]["UID"]
    assert str(before) == str(after) == f"meeting-{meeting.pk}@127.0.0.1"


def test_text_is_escaped_and_long_lines_folded(client, db):
    city = City.objects.create(name="Bogotá", slug="bogota", country="Colombia")
    name = "Réunion; à Bogotá, avec des accents " + "é" * 80
    Meeting.objects.create(
        name=name, slug="long", status="held", start_date=datetime.date(2016, 2, 1), city=city, venue="Sala 1\nPiso 2"
    )
    response = client.get(reverse("meetings:ics", kwargs={"slug": "long"}))
    raw = response.content
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # folding never splits a character
    event = events(response)[name]
    assert str(event["LOCATION"]) == "Sala 1\nPiso 2, Bogotá, Colombia"
    assert event.decoded("DTEND") == datetime.date(2016, 2, 2)


def test_a_meeting_without_dates_has_no_calendar_file(client, twg_records):
    response = client.get(reverse("meetings:ics", kwargs={"slug": "beirut-meeting-proposal-2015"}))
    assert response.status_code == 404


def test_calendar_query_count_is_fixed(client, db, django_assert_num_queries):
    for number in range(3):
        Meeting.objects.create(
            name=f"M{number}", slug=f"m{number}", status="held", start_date=datetime.date(2016, 1, 1)
        )
        # 1 dated meetings with their city
        with django_assert_num_queries(1):
            client.get(reverse("meetings:calendar"))


def test_escape_text():
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
