"""Issue 13, finding 1: every path that links an account to a person of the TWG's records.

The paths (docs/security.md, "Accounts and people"):
1. accepting an invitation (members.views.accounts.invitation -> accept_invitation): the invited person
   or a new one, never another existing one, whatever the POST says;
2. inviting (the admin's invitation add page and change page, invite_member): a person who already has
   an account cannot be named;
3. the admin's member change page (organizers only): the curation path, refused to members;
4. merging two people (meetings' admin, organizers only): the account moves with the removed person,
   and two people who both have an account cannot be merged.
There is no self-registration, profile edit or claim page: the access-control table
(tests/test_access_control.py) fails on any new URL pattern that nobody has classified.

Each is tried against a second, uninvited person: David Connolly, sole author of the proposed paper
"Urban safety and conflict prevention", as in the issue's reproduction.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import InputPaper, Invitation, Member, PaperStatus
from members.services.invitations import accept_invitation, invite_member
from people.models import Person
from tests.members_helpers import client_for

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-unusual-passphrase"


@pytest.fixture
def david(db):
    return Person.objects.create(name="David Connolly", slug="david-connolly")


@pytest.fixture
def davids_paper(david):
    """A paper proposed at a meeting: David is its only author and nobody has an account for him."""
    paper = InputPaper.objects.create(
        title="Urban safety and conflict prevention",
        slug="urban-safety-and-conflict-prevention",
        status=PaperStatus.PROPOSED,
    )
    paper.authors.add(david)
    return paper


def assert_cannot_reach(user, paper):
    """The paper page, its edit page and its 'Start writing' step are all closed to `user`."""
    browser = client_for(user)
    assert browser.get(reverse("members:paper", args=[paper.pk])).status_code == 404
    assert browser.get(reverse("members:paper_edit", args=[paper.pk])).status_code == 404
    response = browser.post(
        reverse("members:paper_transition", args=[paper.pk, "start_writing"]), {"title": "Taken over"}
    )
    assert response.status_code == 404
    paper.refresh_from_db()
    assert (paper.status, paper.title) == (PaperStatus.PROPOSED, "Urban safety and conflict prevention")


def test_an_invitation_naming_nobody_makes_a_new_person_whatever_the_post_says(client, organizer, david, davids_paper):
    _, token = invite_member(email="eve@example.org", invited_by=organizer)
    url = reverse("members:invitation", args=[token])
    page = client.get(url).content.decode()
    # The invitee is offered no list of people to choose from.
    assert 'name="person"' not in page
    assert "David Connolly" not in page
    response = client.post(
        url,
        {
            "username": "eve",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "person": david.pk,
            "person_name": "Eve Example",
        },
    )
    assert response.status_code == 302
    member = Member.objects.select_related("person").get(user__username="eve")
    assert member.person.name == "Eve Example"
    assert member.person_id != david.pk
    assert not Member.objects.filter(person=david).exists()
    assert_cannot_reach(member.user, davids_paper)


def test_the_posted_person_alone_is_not_a_name(client, organizer, david):
    _, token = invite_member(email="eve@example.org", invited_by=organizer)
    response = client.post(
        reverse("members:invitation", args=[token]),
        {"username": "eve", "password1": PASSWORD, "password2": PASSWORD, "person": david.pk},
    )
    assert response.status_code == 200
    assert "Give your name." in response.content.decode()
    assert not get_user_model().objects.filter(username="eve").exists()
    assert not Member.objects.exists()


def test_an_invitation_naming_a_person_binds_that_person_whatever_the_post_says(client, organizer, david, davids_paper):
    invited = Person.objects.create(name="Jaume Guardans", slug="jaume-guardans")
    _, token = invite_member(email="jaume@example.org", invited_by=organizer, person=invited)
    response = client.post(
        reverse("members:invitation", args=[token]),
        {"username": "jaume", "password1": PASSWORD, "password2": PASSWORD, "person": david.pk, "person_name": "X"},
    )
    assert response.status_code == 302
    member = Member.objects.get(user__username="jaume")
    assert member.person_id == invited.pk
    assert not Member.objects.filter(person=david).exists()
    assert Person.objects.filter(name="X").count() == 0
    assert_cannot_reach(member.user, davids_paper)


def test_the_service_has_no_way_to_name_another_person(organizer, david):
    invitation, _ = invite_member(email="eve@example.org", invited_by=organizer)
    with pytest.raises(TypeError):
        accept_invitation(invitation=invitation, username="eve", password=PASSWORD, person=david)
    assert not Member.objects.exists()


def test_a_person_with_an_account_cannot_be_invited(organizer, member):
    with pytest.raises(ValidationError) as raised:
        invite_member(email="second@example.org", invited_by=organizer, person=member.person)
    assert raised.value.message_dict == {"person": ["This person already has an account."]}
    assert not Invitation.objects.exists()


def test_the_admin_refuses_to_point_an_invitation_at_a_person_with_an_account(organizer_client, organizer, member):
    invitation, _ = invite_member(email="second@example.org", invited_by=organizer)
    response = organizer_client.post(
        reverse("admin:members_invitation_change", args=[invitation.pk]),
        {"name": "", "person": member.person.pk, "organization": ""},
    )
    assert response.status_code == 200
    assert "This person already has an account." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.person_id is None


def test_a_member_cannot_relink_their_account_through_the_admin(client, member, david, davids_paper):
    browser = client_for(member.user)
    for url in (
        reverse("admin:members_member_change", args=[member.pk]),
        reverse("admin:people_person_change", args=[david.pk]),
    ):
        response = browser.post(url, {"user": member.user.pk, "person": david.pk})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    member.refresh_from_db()
    assert member.person.name == "Amina Diallo"
    assert_cannot_reach(member.user, davids_paper)


def test_an_organizer_links_a_member_to_a_person_in_the_admin(organizer_client, member, david, davids_paper):
    """The curation path: an organizer who knows the member is David links them (and only an organizer)."""
    response = organizer_client.post(
        reverse("admin:members_member_change", args=[member.pk]),
        {"user": member.user.pk, "person": david.pk, "organization": ""},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.person_id == david.pk
    assert client_for(member.user).get(reverse("members:paper", args=[davids_paper.pk])).status_code == 200


def test_merging_two_people_who_both_have_an_account_is_refused(organizer, member, second_member):
    from meetings.services.merge import merge_people

    with pytest.raises(ValidationError):
        merge_people(keep=member.person, remove=second_member.person)
    assert Member.objects.get(pk=member.pk).person_id == member.person_id
    assert Member.objects.get(pk=second_member.pk).person_id == second_member.person_id
