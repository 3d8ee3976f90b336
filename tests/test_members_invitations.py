"""Invitations: organizers invite from the admin; the link is single-use, expires, and makes a member."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.models import Invitation, Member
from members.services.invitations import invite_member, parse_invitees
from people.models import Organization, Person

pytestmark = pytest.mark.django_db


def invitation_link(message):
    return next(line for line in message.body.splitlines() if "/members/invitation/" in line).strip()


def test_organizer_invites_a_pasted_list_from_the_admin(organizer_client, django_capture_on_commit_callbacks):
    unhcr = Organization.objects.create(name="UN-Habitat", slug="un-habitat")
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            reverse("admin:members_invitation_add"),
            {
                "invitees": "Jaume Guardans <jaume@example.org>\nrory@example.org, Rory Robertshaw\n\nlone@example.org",
                "organization": unhcr.pk,
            },
        )
    assert response.status_code == 302
    invitations = Invitation.objects.order_by("email")
    assert [(i.email, i.name, i.organization_id) for i in invitations] == [
        ("jaume@example.org", "Jaume Guardans", unhcr.pk),
        ("lone@example.org", "", unhcr.pk),
        ("rory@example.org", "Rory Robertshaw", unhcr.pk),
    ]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "jaume@example.org",
        "lone@example.org",
        "rory@example.org",
    ]
    # Only the token's hash is stored: the link in the e-mail is not in the database.
    link = invitation_link(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert all(invitation.expires_at > timezone.now() + datetime.timedelta(days=13) for invitation in invitations)


def test_a_bad_line_in_the_list_is_named_and_nobody_is_invited(organizer_client):
    response = organizer_client.post(
        reverse("admin:members_invitation_add"), {"invitees": "good@example.org\nNo Address Here"}
    )
    assert response.status_code == 200
    assert "Line 2 has no valid e-mail address: No Address Here" in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_the_invite_form_is_refused_to_members(member_client):
    response = member_client.get(reverse("admin:members_invitation_add"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_parse_invitees_reads_the_usual_forms():
    invitees, errors = parse_invitees("A B <a@example.org>\nb@example.org, Bee\nSee, c@example.org\nA@example.org")
    assert [(i.email, i.name) for i in invitees] == [
        ("a@example.org", "A B"),
        ("b@example.org", "Bee"),
        ("c@example.org", "See"),
    ]
    assert errors == []


def test_accepting_creates_the_member_person_and_organization(client, organizer):
    invitation, token = invite_member(email="new@example.org", name="Nadia Haddad", invited_by=organizer)
    url = reverse("members:invitation", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert "new@example.org" in page.content.decode()
    response = client.post(
        url,
        {
            "username": "nadia",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
            "person_name": "Nadia Haddad",
            "organization_name": "Beirut Urban Lab",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:dashboard")
    member = Member.objects.select_related("user", "person", "organization").get(user__username="nadia")
    assert member.user.email == "new@example.org"
    assert member.user.check_password("a-long-unusual-passphrase")
    assert member.person.name == "Nadia Haddad"
    assert member.organization.name == "Beirut Urban Lab"
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.member == member
    # Logged in straight away.
    assert client.get(reverse("members:dashboard")).context["member"] == member


def test_accepting_links_the_person_the_organizer_named(client, organizer, twg_records):
    person = Person.objects.get(slug="jaume-guardans")
    organization = Organization.objects.first()
    _, token = invite_member(email="jaume@example.org", invited_by=organizer, person=person)
    page = client.get(reverse("members:invitation", args=[token])).content.decode()
    assert "You will be linked to <strong>Jaume Guardans</strong>" in page
    response = client.post(
        reverse("members:invitation", args=[token]),
        {
            "username": "jaume",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
            "organization": organization.pk,
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(user__username="jaume")
    assert (member.person, member.organization) == (person, organization)
    assert Person.objects.filter(name=person.name).count() == 1


def test_weak_passwords_are_refused_by_djangos_validators(client, organizer):
    _, token = invite_member(email="weak@example.org", invited_by=organizer)
    response = client.post(
        reverse("members:invitation", args=[token]),
        {"username": "weak", "password1": "password", "password2": "password", "person_name": "W"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "This password is too short" in content
    assert "This password is too common" in content
    assert not get_user_model().objects.filter(username="weak").exists()


def test_a_reused_link_gets_a_clear_page(client, organizer):
    _, token = invite_member(email="twice@example.org", invited_by=organizer)
    data = {
        "username": "twice",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
        "person_name": "Twice",
    }
    assert client.post(reverse("members:invitation", args=[token]), data).status_code == 302
    client.logout()
    for response in (
        client.get(reverse("members:invitation", args=[token])),
        client.post(reverse("members:invitation", args=[token]), {**data, "username": "thrice"}),
    ):
        assert response.status_code == 410
        assert "already been used" in response.content.decode()
    assert Member.objects.count() == 1


def test_an_expired_link_gets_a_clear_page(client, organizer):
    invitation, token = invite_member(email="late@example.org", invited_by=organizer)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(reverse("members:invitation", args=[token]))
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()


def test_an_unknown_link_is_404(client, organizer):
    invite_member(email="someone@example.org", invited_by=organizer)
    assert client.get(reverse("members:invitation", args=["not-a-real-token"])).status_code == 404


def test_the_invitation_changelist_shows_states(organizer_client, organizer):
    invite_member(email="pending@example.org", invited_by=organizer)
    response = organizer_client.get(reverse("admin:members_invitation_changelist"))
    assert response.status_code == 200
    assert "pending@example.org" in response.content.decode()


def test_addresses_that_already_have_an_account_are_named(organizer_client, member):
    response = organizer_client.post(
        reverse("admin:members_invitation_add"), {"invitees": "AMINA@example.org\nnew@example.org"}
    )
    assert response.status_code == 200
    assert "These addresses already have an account: amina@example.org" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_person_taken_meanwhile_gets_a_message_not_an_error(client, organizer, member):
    person = member.person
    Member.objects.filter(pk=member.pk).update(person=None)
    invitation, token = invite_member(email="late@example.org", invited_by=organizer, person=person)
    Member.objects.filter(pk=member.pk).update(person=person)
    response = client.post(
        reverse("members:invitation", args=[token]),
        {"username": "late", "password1": "a-long-unusual-passphrase", "password2": "a-long-unusual-passphrase"},
    )
    assert response.status_code == 400
    assert "Member with this Person already exists." in response.content.decode()
    assert not get_user_model().objects.filter(username="late").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_organizers_send_a_new_link_for_an_expired_invitation(
    organizer_client, organizer, client, django_capture_on_commit_callbacks
):
    invitation, old_token = invite_member(email="late@example.org", invited_by=organizer)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            reverse("admin:members_invitation_changelist"),
            {"action": "send_new_links", "_selected_action": [invitation.pk]},
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    new_path = "/" + invitation_link(message).split("/", 3)[3]
    organizer_client.logout()
    assert client.get(reverse("members:invitation", args=[old_token])).status_code == 404
    assert client.get(new_path).status_code == 200
