"""Deleting with eyes open: the admin's delete confirmation for a term, tag, person or organization
names the entries, meetings and papers that lose it (core/admin_deletion.py)."""

import re

import pytest
from django.urls import reverse
from taggit.models import Tag

from depository.models import CityType, Theme, ViolenceType
from meetings.models import Meeting, Participation, ProgrammeSession, SessionContribution
from people.models import Organization, Person
from places.models import City
from tests.depository_helpers import make_entry, term
from tests.members_helpers import make_paper

pytestmark = pytest.mark.django_db


def confirmation(client, obj):
    opts = obj._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert " object (" not in html, "a link row shown by its default name"
    return html


def names_with_link(html, obj, text):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return re.search(rf'<a href="{re.escape(url)}">{re.escape(text)}</a>, which loses this', html) is not None


def test_deleting_a_theme_names_the_entries_meetings_and_papers_that_lose_it(organizer_client, member):
    policing = term(Theme, "policing", name="Policing")
    audit = make_entry("Women's safety audit", themes=[policing])
    other = make_entry("Unrelated practice", themes=["housing"])
    meeting = Meeting.objects.create(name="Inception meeting", slug="inception", status="proposed")
    meeting.themes.add(policing)
    paper = make_paper(member, "Policing and peace")
    paper.themes.add(policing)

    html = confirmation(organizer_client, policing)
    assert names_with_link(html, audit, "Women&#x27;s safety audit")
    assert names_with_link(html, meeting, "Inception meeting")
    assert names_with_link(html, paper, "Policing and peace")
    assert "which loses this theme" in html
    assert other.title not in html
    # Confirming deletes the theme only: the entry stays, without it.
    response = organizer_client.post(
        reverse("admin:depository_theme_delete", args=[policing.pk]), {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    audit.refresh_from_db()
    assert list(audit.themes.all()) == []


@pytest.mark.parametrize(("model", "field"), [(CityType, "city_types"), (ViolenceType, "violence_types")])
def test_deleting_a_city_or_violence_type_names_the_entries(organizer_client, model, field):
    value = term(model, "post-conflict", name="Post-conflict")
    entry = make_entry("Bogotá mediation", **{field: ["post-conflict"]})
    city = City.objects.create(name="Juba", slug="juba", country="South Sudan")
    if model is CityType:
        city.city_types.add(value)
    html = confirmation(organizer_client, value)
    assert names_with_link(html, entry, "Bogotá mediation")
    if model is CityType:
        assert names_with_link(html, city, "Juba, South Sudan")


def test_deleting_a_tag_names_the_entries_that_lose_it(organizer_client):
    entry = make_entry("Youth forum", tags=["youth"])
    make_entry("Other", tags=["elders"])
    html = confirmation(organizer_client, Tag.objects.get(name="youth"))
    assert names_with_link(html, entry, "Youth forum")
    assert "Other</a>" not in html


def test_deleting_a_person_names_meetings_sessions_and_papers(organizer_client, member):
    person = member.person
    meeting = Meeting.objects.create(name="Corregidora meeting", slug="corregidora", status="proposed")
    Participation.objects.create(person=person, meeting=meeting)
    session = ProgrammeSession.objects.create(meeting=meeting, title="Focus 1: promising practices")
    SessionContribution.objects.create(session=session, person=person, role="speaker")
    paper = make_paper(member, "Safety audits in Nairobi")  # the member's person is its author

    html = confirmation(organizer_client, person)
    assert "Amina Diallo at Corregidora meeting" in html
    assert "Amina Diallo (Speaker), Focus 1: promising practices" in html
    assert names_with_link(html, paper, "Safety audits in Nairobi")
    # The member account is kept and only loses its link to the person.
    assert re.search(r"Member: <a [^>]+>[^<]+</a>, which loses its person", html)


def test_deleting_an_organization_names_hosted_meetings_and_what_loses_it(organizer_client, member):
    organization = Organization.objects.create(name="Geneva Peacebuilding Platform", slug="gpp", acronym="GPP")
    meeting = Meeting.objects.create(name="Second meeting", slug="second", status="proposed")
    meeting.hosts.add(organization)
    other = Person.objects.create(name="Carla Ruiz", slug="carla")
    Participation.objects.create(person=other, meeting=meeting, organization=organization)
    paper = make_paper(member, "Peace in cities", organization=organization)

    html = confirmation(organizer_client, organization)
    assert names_with_link(html, meeting, "Second meeting")
    assert "Carla Ruiz at Second meeting" in html and "which loses its organization then" in html
    assert re.search(r">Peace in cities</a>, which loses its organization", html)
    assert paper.pk
