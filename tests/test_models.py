"""Constraints the data demands, enforced by the database itself."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from depository.models import Entry, Theme
from meetings.models import Meeting, Participation, ProgrammeSession
from people.models import Person
from places.models import City

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_slugs_are_unique():
    Entry.objects.create(kind="tool", title="Safety audit", slug="safety-audit")
    refused(lambda: Entry.objects.create(kind="tool", title="Another", slug="safety-audit"))
    Person.objects.create(name="A. Person", slug="a-person")
    refused(lambda: Person.objects.create(name="A. Person", slug="a-person"))


def test_one_participation_per_person_per_meeting():
    meeting = Meeting.objects.create(name="M", slug="m", status="held", start_date=datetime.date(2015, 1, 1))
    person = Person.objects.create(name="P", slug="p")
    Participation.objects.create(meeting=meeting, person=person)
    refused(lambda: Participation.objects.create(meeting=meeting, person=person, title="again"))


def test_a_meeting_cannot_end_before_it_starts():
    refused(
        lambda: Meeting.objects.create(
            name="Backwards",
            slug="backwards",
            status="held",
            start_date=datetime.date(2015, 3, 25),
            end_date=datetime.date(2015, 3, 23),
        )
    )


def test_only_a_proposed_or_cancelled_meeting_may_lack_a_date():
    refused(lambda: Meeting.objects.create(name="Undated", slug="undated", status="held"))
    Meeting.objects.create(name="Offer", slug="offer", status="proposed", timing_note="Autumn 2015")


def test_a_session_cannot_end_before_it_starts():
    meeting = Meeting.objects.create(name="M", slug="m", status="held", start_date=datetime.date(2015, 1, 1))
    refused(
        lambda: ProgrammeSession.objects.create(
            meeting=meeting, title="Late", start_time=datetime.time(15), end_time=datetime.time(14)
        )
    )


def test_a_published_entry_has_a_publication_date_and_a_plausible_year():
    refused(lambda: Entry.objects.create(kind="tool", title="T", slug="t", status="published"))
    # Years from 1000 (printed works; issue 20 widened it from 1900 for the literature of older works).
    refused(lambda: Entry.objects.create(kind="tool", title="T", slug="t", year=999))
    refused(lambda: Entry.objects.create(kind="tool", title="T", slug="t", year=2101))


def test_a_theme_is_not_its_own_parent():
    theme = Theme.objects.create(name="Crime prevention", slug="crime-prevention")
    theme.parent = theme
    refused(theme.save)


def test_one_city_per_name_and_country():
    City.objects.create(name="San Fernando", slug="san-fernando", country="Philippines")
    City.objects.create(name="San Fernando", slug="san-fernando-tt", country="Trinidad and Tobago")
    refused(lambda: City.objects.create(name="San Fernando", slug="san-fernando-2", country="Philippines"))
