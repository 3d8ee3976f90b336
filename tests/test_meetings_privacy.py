"""The disclosure rule on every page that lists people, for an anonymous visitor, a member and an organizer.

public: everyone sees the name; members: members and organizers see it, others 'one participant from
<organization>'; organizers: only organizers see it, others 'one participant' without the organization.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Meeting, Participation, ProgrammeSession, SessionContribution
from members.models import InputPaper, Member
from people.models import Organization, Person

pytestmark = pytest.mark.django_db

NAME = "Harriet Hidden"
TITLE = "Deputy Mayor of Somewhere"
ORGANIZATION = "Quiet Neighbourhood Council"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def member(db):
    user = get_user_model().objects.create_user("mia", password="member-pass-1")
    Member.objects.create(user=user)
    return user


@pytest.fixture
def actors(member, organizer):
    """One client per actor: an anonymous visitor, a member, an organizer."""
    return {"anonymous": Client(), "member": signed_in(member), "organizer": signed_in(organizer)}


def setup_meeting(disclosure):
    meeting = Meeting.objects.create(
        name="Quiet meeting", slug="quiet", status="held", start_date=datetime.date(2016, 5, 2)
    )
    organization = Organization.objects.create(name=ORGANIZATION, slug="quiet-council")
    public_org = Organization.objects.create(name="Open Institute", slug="open-institute")
    person = Person.objects.create(name=NAME, slug="harriet", disclosure=disclosure)
    open_person = Person.objects.create(name="Olly Open", slug="olly")
    Participation.objects.create(meeting=meeting, person=person, organization=organization, title=TITLE, position=1)
    Participation.objects.create(
        meeting=meeting, person=open_person, organization=public_org, title="Director", position=2
    )
    session = ProgrammeSession.objects.create(meeting=meeting, title="Kick-off", date=meeting.start_date)
    SessionContribution.objects.create(
        session=session, person=person, role="kickoff_presenter", title=TITLE, organization=organization
    )
    paper = InputPaper.objects.create(title="Quiet paper", slug="quiet-paper", proposed_at=meeting, status="proposed")
    paper.authors.add(person)
    return meeting


# (level, actor) -> what the actor sees: the name, the organization, or neither.
EXPECTED = {
    ("public", "anonymous"): "name",
    ("public", "member"): "name",
    ("public", "organizer"): "name",
    ("members", "anonymous"): "organization",
    ("members", "member"): "name",
    ("members", "organizer"): "name",
    ("organizers", "anonymous"): "nothing",
    ("organizers", "member"): "nothing",
    ("organizers", "organizer"): "name",
}


@pytest.mark.parametrize(("level", "actor"), sorted(EXPECTED))
def test_meeting_page_applies_the_disclosure_level(actors, level, actor):
    setup_meeting(level)
    content = actors[actor].get(reverse("meetings:detail", kwargs={"slug": "quiet"})).content.decode()
    assert "Olly Open" in content  # public people are always named
    programme = content.split("Programme")[1].split("</section>")[0]
    participants = content.split('id="participants"')[1].split("</section>")[0]
    papers = content.split("Input papers")[1]
    seen = EXPECTED[(level, actor)]
    if seen == "name":
        assert NAME in programme and NAME in participants and NAME in papers
        assert TITLE in programme and TITLE in participants
        assert ORGANIZATION in content
    else:
        assert NAME not in content and TITLE not in content
        assert "one participant" in programme and "one participant" in participants and "one participant" in papers
    if seen == "organization":
        assert f"one participant from {ORGANIZATION}" in programme
        assert ORGANIZATION in participants  # the group heading
    if seen == "nothing":
        assert ORGANIZATION not in content
        assert "one participant from" not in content
    assert "Participants (2)" in participants


@pytest.mark.parametrize(("level", "actor"), sorted(EXPECTED))
def test_network_pages_apply_the_disclosure_level(actors, level, actor):
    setup_meeting(level)
    client = actors[actor]
    matrix = client.get(reverse("meetings:organizations")).content.decode()
    organization = client.get(reverse("meetings:organization", kwargs={"slug": "quiet-council"})).content.decode()
    seen = EXPECTED[(level, actor)]
    assert "Open Institute" in matrix
    if seen == "nothing":
        # Not even the organization's presence at the meeting is shown.
        assert ORGANIZATION not in matrix
        assert "Quiet meeting" not in organization.split("Took part in")[1]
        assert NAME not in organization
    else:
        assert ORGANIZATION in matrix
        assert "Quiet meeting" in organization.split("Took part in")[1]
    if seen == "name":
        assert NAME in organization and TITLE in organization
    if seen == "organization":
        assert NAME not in organization and TITLE not in organization
        assert "one participant" in organization


def test_a_signed_in_user_without_member_profile_is_not_a_member(db):
    client = signed_in(get_user_model().objects.create_user("nomi", password="plain-pass-1"))
    setup_meeting("members")
    content = client.get(reverse("meetings:detail", kwargs={"slug": "quiet"})).content.decode()
    assert NAME not in content
    assert f"one participant from {ORGANIZATION}" in content


def test_staff_without_the_permission_is_not_an_organizer(client):
    user = get_user_model().objects.create_user("stu", password="staff-pass-1", is_staff=True)
    client.force_login(user)
    setup_meeting("organizers")
    content = client.get(reverse("meetings:detail", kwargs={"slug": "quiet"})).content.decode()
    assert NAME not in content


def test_no_contact_details_on_any_page(client, twg_records):
    get_user_model().objects.create_user("x", email="harriet@example.org", password="x-pass-12345")
    for name, kwargs in [
        ("meetings:detail", {"slug": "inception-meeting-2014"}),
        ("meetings:organizations", None),
        ("meetings:organization", {"slug": "gpp"}),
    ]:
        content = client.get(reverse(name, kwargs=kwargs)).content.decode()
        assert "@example.org" not in content and "mailto:" not in content


@pytest.mark.parametrize("actor", ["anonymous", "member", "organizer"])
def test_privacy_costs_a_fixed_number_of_queries(actors, actor):
    setup_meeting("members")
    client = actors[actor]
    url = reverse("meetings:detail", kwargs={"slug": "quiet"})
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    meeting = Meeting.objects.get(slug="quiet")
    for number in range(5):
        person = Person.objects.create(name=f"Extra {number}", slug=f"extra-{number}", disclosure="members")
        Participation.objects.create(meeting=meeting, person=person)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)
