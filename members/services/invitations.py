"""Inviting members and accepting invitations."""

import datetime
import secrets
from dataclasses import dataclass
from email.utils import parseaddr
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import emails
from members.models import Invitation, Member, hash_token
from members.services.common import unique_slug
from people.models import Organization, Person

EMAIL_MAX_LENGTH = Invitation._meta.get_field("email").max_length
NAME_MAX_LENGTH = Invitation._meta.get_field("name").max_length


class InvitationUnusable(Exception):
    """The link cannot be used (any more); `reason` is 'expired' or 'used'."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Invitee:
    email: str
    name: str = ""


class PastedList(NamedTuple):
    invitees: list[Invitee]  # in the list's order, each address once
    errors: list[str]  # one message per line left out, naming the line


def parse_invitees(text: str) -> PastedList:
    """Read a pasted list, one person a line: 'Name <e-mail>', 'e-mail', 'e-mail, Name' or 'Name, e-mail'.

    Returns a PastedList; its errors name the lines that hold no valid e-mail address or exceed a limit.
    """
    invitees, errors, seen = [], [], set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if "<" in line:
            name, address = parseaddr(line)
        else:
            parts = [part.strip() for part in line.replace(";", ",").split(",") if part.strip()]
            address = next((part for part in parts if "@" in part), "")
            name = " ".join(part for part in parts if part != address)
        try:
            validate_email(address)
        except ValidationError:
            errors.append(_("Line %(number)s has no valid e-mail address: %(line)s") % {"number": number, "line": line})
            continue
        # The columns' limits, said per line rather than failing the whole list with a 500 (issue 13).
        if len(address) > EMAIL_MAX_LENGTH:
            errors.append(
                _("Line %(number)s: the e-mail address is longer than %(limit)d characters.")
                % {"number": number, "limit": EMAIL_MAX_LENGTH}
            )
            continue
        if len(name.strip()) > NAME_MAX_LENGTH:
            errors.append(
                _("Line %(number)s: the name is longer than %(limit)d characters.")
                % {"number": number, "limit": NAME_MAX_LENGTH}
            )
            continue
        if address.lower() in seen:
            continue
        seen.add(address.lower())
        invitees.append(Invitee(email=address, name=name.strip()))
    return PastedList(invitees=invitees, errors=errors)


class SentInvitation(NamedTuple):
    invitation: Invitation
    token: str  # the link's secret; only its hash is stored


def invite_member(
    *,
    email: str,
    invited_by: User,
    name: str = "",
    person: Person | None = None,
    organization: Organization | None = None,
) -> SentInvitation:
    """Create an invitation and e-mail its link (after the transaction commits). Returns a SentInvitation."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation(
            email=email,
            name=name,
            person=person,
            organization=organization,
            token_hash=hash_token(token),
            invited_by=invited_by,
            expires_at=timezone.now() + datetime.timedelta(days=settings.MEMBERS_INVITATION_DAYS),
        )
        invitation.full_clean()
        invitation.save()
        transaction.on_commit(lambda: emails.send_invitation(invitation, token))
    return SentInvitation(invitation=invitation, token=token)


def renew_invitation(*, invitation: Invitation, invited_by: User) -> str:
    """A fresh link for an invitation not yet accepted (the old link stops working). Returns the new token."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.is_used:
            raise InvitationUnusable("used")
        invitation.token_hash = hash_token(token)
        invitation.expires_at = timezone.now() + datetime.timedelta(days=settings.MEMBERS_INVITATION_DAYS)
        invitation.invited_by = invited_by
        invitation.save(update_fields=["token_hash", "expires_at", "invited_by"])
        transaction.on_commit(lambda: emails.send_invitation(invitation, token))
    return token


@transaction.atomic
def invite_many(
    *, invitees: list[Invitee], invited_by: User, organization: Organization | None = None
) -> list[Invitation]:
    return [
        invite_member(
            email=invitee.email, name=invitee.name, organization=organization, invited_by=invited_by
        ).invitation
        for invitee in invitees
    ]


def find_invitation(token: str) -> Invitation | None:
    """The invitation the token opens, or None; raises InvitationUnusable when used or expired."""
    invitation = (
        Invitation.objects.select_related("person", "organization").filter(token_hash=hash_token(token)).first()
    )
    if invitation is None:
        return None
    check_usable(invitation)
    return invitation


def check_usable(invitation: Invitation) -> None:
    if invitation.is_used:
        raise InvitationUnusable("used")
    if invitation.is_expired:
        raise InvitationUnusable("expired")


@transaction.atomic
def accept_invitation(
    *,
    invitation: Invitation,
    username: str,
    password: str,
    person_name: str = "",
    organization: Organization | None = None,
    organization_name: str = "",
) -> Member:
    """Create the user and member; the link is spent. Returns the Member.

    The member is bound to the person the organizer named on the invitation (`invitation.person`) or,
    when it names none, to a new person called `person_name`: never to another existing person, whoever
    holds the link (issue 13, finding 1). Raises InvitationUnusable (used or expired) and ValidationError
    (user name taken, or the invited person has meanwhile got an account); nothing is written then.
    """
    # Locked, so two clicks on the same link cannot both create an account.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    check_usable(invitation)
    user = get_user_model()(username=username, email=invitation.email)
    user.set_password(password)
    user.full_clean()
    user.save()
    person = invitation.person
    if person is None:
        person = Person(name=person_name, slug=unique_slug(Person, person_name))
        person.full_clean()
        person.save()
    if organization is None and organization_name:
        organization = Organization.objects.filter(name__iexact=organization_name).first() or Organization(
            name=organization_name, slug=unique_slug(Organization, organization_name)
        )
        if organization.pk is None:
            organization.full_clean()
            organization.save()
    member = Member(user=user, person=person, organization=organization)
    member.full_clean()
    member.save()
    invitation.accepted_at = timezone.now()
    invitation.member = member
    invitation.save(update_fields=["accepted_at", "member"])
    return member
