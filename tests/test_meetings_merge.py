"""Merging duplicate people and organizations in the admin: everything moves, nothing is lost."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from meetings.models import Meeting, Milestone, Participation, ProgrammeSession, SessionContribution
from meetings.services.merge import merge_people
from members.models import InputPaper, Member
from people.models import Organization, Person

pytestmark = pytest.mark.django_db


def totals():
    return {
        "people": Person.objects.count(),
        "organizations": Organization.objects.count(),
        "participations": Participation.objects.count(),
        "contributions": SessionContribution.objects.count(),
        "authorships": InputPaper.authors.through.objects.count(),
        "members": Member.objects.count(),
        "milestones": Milestone.objects.count(),
        "hosts": Meeting.hosts.through.objects.count(),
    }


@pytest.fixture
def duplicate(twg_records):
    """'Charlotte L. Warakulle', entered again: at the inception meeting (where the real record already is),
    at the 2nd meeting, in a programme, as an author and as a member."""
    twin = Person.objects.create(name="Charlotte Warakulle", slug="charlotte-warakulle", other_spellings="C. Warakulle")
    inception = Meeting.objects.get(slug="inception-meeting-2014")
    second = Meeting.objects.get(slug="second-meeting-2015")
    Participation.objects.create(meeting=inception, person=twin, title="", role="participant")
    Participation.objects.create(meeting=second, person=twin, title="Director, Division of Administration")
    session = second.sessions.first()
    SessionContribution.objects.create(session=session, person=twin, role="facilitator")
    InputPaper.objects.get(slug="urban-safety-and-conflict-prevention").authors.add(twin)
    user = get_user_model().objects.create_user("charlotte", password="member-pass-1")
    Member.objects.create(user=user, person=twin)
    return twin


def changelist(model):
    return reverse(f"admin:people_{model}_changelist")


def test_merge_people_through_the_admin_with_a_confirmation_page(organizer_client, duplicate):
    kept = Person.objects.get(slug="charlotte-l-warakaulle")
    before = totals()
    selected = {"action": "merge_selected", "_selected_action": [kept.pk, duplicate.pk]}

    response = organizer_client.post(changelist("person"), selected)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Choose the record to keep" in content
    assert "2 participations" in content and "1 session contributions" in content
    assert totals() == before  # the confirmation page changes nothing

    response = organizer_client.post(changelist("person"), {**selected, "post": "yes", "keep": kept.pk})
    assert response.status_code == 302
    after = totals()
    # One person fewer; the duplicate participation at the inception meeting is folded into the kept one.
    assert after == {**before, "people": before["people"] - 1, "participations": before["participations"] - 1}
    assert not Person.objects.filter(pk=duplicate.pk).exists()
    kept.refresh_from_db()
    assert set(kept.participations.values_list("meeting__slug", flat=True)) == {
        "inception-meeting-2014",
        "second-meeting-2015",
    }
    assert kept.participations.get(meeting__slug="second-meeting-2015").title == "Director, Division of Administration"
    # The kept participation keeps its own title (the duplicate's was blank).
    assert kept.participations.get(meeting__slug="inception-meeting-2014").title.startswith("Chief of Section")
    assert kept.contributions.filter(role="facilitator").exists()
    assert kept.input_papers.filter(slug="urban-safety-and-conflict-prevention").exists()
    assert kept.member.user.username == "charlotte"
    assert kept.other_spellings == "Charlotte L. Warakulle; Charlotte Warakulle; C. Warakulle"
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("Merged “Charlotte Warakulle” into “Charlotte L. Warakaulle”" in message for message in messages)


def test_merge_organizations_moves_every_reference(organizer_client, twg_records):
    twin = Organization.objects.create(name="UN Habitat Nairobi", slug="un-habitat-nairobi", acronym="UNH")
    inception = Meeting.objects.get(slug="inception-meeting-2014")
    inception.hosts.add(twin)
    Participation.objects.filter(person__slug="juma-assiago", meeting=inception).update(organization=twin)
    Milestone.objects.filter(slug="fundraising").update(responsible_organization=twin)
    InputPaper.objects.filter(slug="urban-safety-and-conflict-prevention").update(organization=twin)
    session_contribution = SessionContribution.objects.filter(person__slug="juma-assiago").first()
    session_contribution.organization = twin
    session_contribution.save()
    user = get_user_model().objects.create_user("uh", password="member-pass-1")
    Member.objects.create(user=user, organization=twin)
    kept = Organization.objects.get(slug="un-habitat")
    hosts_before = inception.hosts.count()
    before = totals()

    selected = {"action": "merge_selected", "_selected_action": [kept.pk, twin.pk], "post": "yes", "keep": kept.pk}
    response = organizer_client.post(changelist("organization"), selected)
    assert response.status_code == 302
    assert totals() == {**before, "organizations": before["organizations"] - 1}
    kept.refresh_from_db()
    assert kept.participations.filter(person__slug="juma-assiago", meeting=inception).exists()
    assert kept.milestones.filter(slug="fundraising").exists()
    assert kept.input_papers.filter(slug="urban-safety-and-conflict-prevention").exists()
    assert kept.members.filter(user=user).exists()
    assert kept.sessioncontribution_set.filter(pk=session_contribution.pk).exists()
    assert inception.hosts.filter(pk=kept.pk).exists() and inception.hosts.count() == hosts_before
    assert kept.acronym == "UNH"  # a blank field takes the other record's value
    # Spellings that differ from the name only in case or punctuation add nothing to matching.
    assert kept.other_spellings == "UNHABITAT; UN Habitat Nairobi"


def test_merge_keeps_the_stricter_disclosure(twg_records):
    kept = Person.objects.get(slug="jovana-carapic")
    twin = Person.objects.create(name="Jovana Carapić", slug="jovana-carapic-2", disclosure="organizers")
    merge_people(keep=kept, remove=twin)
    kept.refresh_from_db()
    assert kept.disclosure == "organizers"


def test_two_member_profiles_block_the_merge_and_nothing_changes(organizer_client, duplicate):
    kept = Person.objects.get(slug="charlotte-l-warakaulle")
    user = get_user_model().objects.create_user("charlotte2", password="member-pass-1")
    Member.objects.create(user=user, person=kept)
    before = totals()
    selected = {"action": "merge_selected", "_selected_action": [kept.pk, duplicate.pk], "post": "yes", "keep": kept.pk}
    response = organizer_client.post(changelist("person"), selected, follow=True)
    assert "Both records have a member; unlink one of them first." in response.content.decode()
    assert totals() == before
    assert Person.objects.filter(pk=duplicate.pk).exists()


def test_merging_needs_exactly_two_records(organizer_client, twg_records):
    ids = list(Person.objects.values_list("pk", flat=True)[:3])
    response = organizer_client.post(
        changelist("person"), {"action": "merge_selected", "_selected_action": ids}, follow=True
    )
    assert "Select exactly two records to merge." in response.content.decode()
    assert Person.objects.filter(pk__in=ids).count() == 3


def test_a_session_contribution_in_the_same_role_is_folded(twg_records):
    kept = Person.objects.get(slug="achim-wennmann")
    twin = Person.objects.create(name="A. Wennmann", slug="a-wennmann")
    session = ProgrammeSession.objects.get(title__startswith="Methodology")
    SessionContribution.objects.create(session=session, person=twin, role="facilitator", title="Coordinator")
    before = SessionContribution.objects.count()
    report = merge_people(keep=kept, remove=twin)
    assert SessionContribution.objects.count() == before - 1
    assert report.combined == {"session contributions": 1}
    assert session.contributions.get(person=kept, role="facilitator").title == "Coordinator"


def test_person_change_page_shows_the_disclosure_level_and_the_meetings(organizer_client, twg_records):
    person = Person.objects.get(slug="juma-assiago")
    response = organizer_client.get(reverse("admin:people_person_change", args=[person.pk]))
    content = response.content.decode()
    assert 'name="disclosure"' in content
    assert content.count('name="participations-') >= 2 * 4
    response = organizer_client.post(
        reverse("admin:people_person_change", args=[person.pk]),
        {
            "name": person.name,
            "slug": person.slug,
            "other_spellings": "",
            "disclosure": "members",
            "participations-TOTAL_FORMS": "0",
            "participations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.disclosure == "members"
    assert person.participations.count() == 2
