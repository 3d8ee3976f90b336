"""The TWG's real records, loaded from the reports by `load_twg_records`."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from depository.models import CityType, Entry, GlossaryTerm, Theme, ViolenceType
from meetings.models import Meeting, Milestone, Participation, ProgrammeSession
from members.models import InputPaper, PaperStatus
from people.models import Organization, Person
from places.models import City
from portal.records import load_records

pytestmark = pytest.mark.django_db


def table_counts():
    models = [
        City,
        CityType,
        ViolenceType,
        Theme,
        GlossaryTerm,
        Entry,
        Meeting,
        ProgrammeSession,
        Participation,
        Person,
        Organization,
        Milestone,
        InputPaper,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_the_four_meetings_of_the_reports(twg_records):
    meetings = {meeting.slug: meeting for meeting in Meeting.objects.all()}
    assert len(meetings) == 4
    inception = Meeting.objects.get(number=0)
    assert (inception.start_date, inception.end_date) == (datetime.date(2014, 11, 5), datetime.date(2014, 11, 6))
    assert inception.city.name == "Geneva"
    assert "Room IX" in inception.venue
    assert inception.status == "held"

    corregidora = Meeting.objects.get(number=1)
    assert corregidora.status == "planned"
    assert (corregidora.start_date, corregidora.end_date) == (datetime.date(2015, 3, 23), datetime.date(2015, 3, 25))
    assert corregidora.city.name == "Corregidora"

    beirut = Meeting.objects.get(city__name="Beirut")
    assert beirut.status == "proposed"
    assert beirut.start_date is None

    second = Meeting.objects.get(number=2)
    assert second.start_date == second.end_date == datetime.date(2015, 9, 21)
    # The 2nd report does not say where the meeting took place: it stays unknown.
    assert second.city is None and second.venue == ""
    assert "Global Network on Safer Cities" in second.part_of


def test_participants_and_sessions_per_meeting(twg_records):
    inception = Meeting.objects.get(number=0)
    second = Meeting.objects.get(number=2)
    assert inception.participations.count() == 21
    assert second.participations.count() == 20
    assert inception.sessions.count() == 6
    assert second.sessions.count() == 2
    assert Meeting.objects.get(number=1).participations.count() == 0


def test_programme_names_presenters_facilitator_and_rapporteur(twg_records):
    inception = Meeting.objects.get(number=0)
    session = inception.sessions.get(start_time=datetime.time(15, 30))
    presenters = [
        c.person.name for c in session.contributions.filter(role="kickoff_presenter").select_related("person")
    ]
    assert presenters == ["Anna Alvazzi del Frate", "Luis Antonio Zapata Guerrero"]
    assert session.contributions.get(role="facilitator").person.name == "Achim Wennmann"
    rapporteur = inception.participations.get(role="rapporteur")
    assert rapporteur.person.name == "Sven Gusmann"

    focus_one = Meeting.objects.get(number=2).sessions.get(start_time=datetime.time(14, 0))
    assert focus_one.contributions.filter(role="kickoff_presenter").count() == 7


def test_one_record_per_person_whatever_the_spelling(twg_records):
    assert Person.objects.filter(name__icontains="Warak").count() == 1
    warakaulle = Person.objects.get(name__icontains="Warak")
    assert "Warakulle" in warakaulle.other_spellings
    # The mayor appears as "Antonio Zapata" and "Luis Antonio Zapata Guerrero": one person, two meetings.
    zapata = Person.objects.get(name__icontains="Zapata")
    assert zapata.participations.count() == 2
    # Six people were at both meetings.
    assert Person.objects.filter(participations__meeting__number__in=[0, 2]).distinct().count() == 35


def test_titles_are_the_ones_held_at_each_meeting(twg_records):
    guardans = Person.objects.get(slug="jaume-guardans")
    titles = dict(guardans.participations.values_list("meeting__number", "title"))
    assert titles[2] == "CEO"
    assert titles[0] != titles[2]


def test_vocabularies_glossary_milestones_and_papers(twg_records):
    assert set(ViolenceType.objects.values_list("slug", flat=True)) == {
        "large-scale",
        "small-scale",
        "public",
        "domestic",
        "gender-based",
        "organized",
        "spontaneous",
    }
    assert CityType.objects.count() == 3
    assert Theme.objects.filter(parent__isnull=False).exists()
    terms = set(GlossaryTerm.objects.values_list("term", flat=True))
    assert {"Nexus", "Confluence", "Overlap", "Integrated approach", "Complementarity", "Local"} <= terms
    assert Milestone.objects.count() >= 8
    papers = InputPaper.objects.prefetch_related("authors")
    assert papers.count() == 3
    assert {paper.status for paper in papers} == {PaperStatus.PROPOSED}
    assert sorted(author.name for paper in papers for author in paper.authors.all()) == [
        "David Connolly",
        "Jaume Guardans",
        "Rory Robertshaw",
    ]
    assert Entry.objects.published().count() == Entry.objects.count() > 0


def test_loading_twice_changes_nothing(twg_records):
    before = table_counts()
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(updated_at) FROM depository_entry")
        last_update = cursor.fetchone()[0]
    report = load_records()
    assert report.changed_nothing
    assert table_counts() == before
    assert Entry.objects.order_by("-updated_at").first().updated_at == last_update


def test_update_mode_restores_the_file_values_and_keeps_the_rest(twg_records):
    meeting = Meeting.objects.get(number=0)
    meeting.venue = "Edited by an organizer"
    meeting.save()
    call_command("load_twg_records")
    meeting.refresh_from_db()
    assert meeting.venue == "Edited by an organizer"  # curated records are kept
    call_command("load_twg_records", "--update")
    meeting.refresh_from_db()
    assert "Room IX" in meeting.venue
    assert meeting.participations.count() == 21


def test_a_broken_records_file_writes_nothing(tmp_path, db):
    path = tmp_path / "records.yaml"
    path.write_text(
        "cities:\n  - {slug: geneva, name: Geneva, country: Switzerland}\n"
        "organizations:\n  - {slug: unog, name: UNOG, city: atlantis}\n"
    )
    with pytest.raises(CommandError, match="atlantis"):
        call_command("load_twg_records", "--file", str(path))
    assert City.objects.count() == 0
