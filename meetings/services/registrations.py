"""Registering for a meeting or an event, deciding on travel support, turning accepted registrations into
participations once a meeting is held, exporting the list, and blanking private data after the retention
period (docs/network-meetings.md). The views, the admin and the management command call these."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core import spreadsheets
from meetings.models import (
    Meeting,
    MeetingStatus,
    Participation,
    ParticipationRole,
    Registration,
    RegistrationStatus,
    SupportStatus,
)


class RegistrationRefused(Exception):
    """Why a registration cannot be made: `status` is the HTTP status the view answers with."""

    def __init__(self, message, *, status):
        super().__init__(message)
        self.message = message
        self.status = status


def register(*, user, member, target, needs="", support_requested=False, justification="", today=None):
    """Register `user` (whose member profile is `member`) for `target` (a Meeting or an Event).

    Refused (RegistrationRefused) when the window is closed (403) or the member is registered already (409;
    the database's unique constraint decides when two requests race)."""
    today = today or timezone.localdate()
    if not target.registration_is_open(today):
        raise RegistrationRefused(_("Registration for %(name)s is closed.") % {"name": target.name}, status=403)
    registration = Registration(
        user=user,
        person=member.person,
        organization=member.organization,
        needs=needs,
        support_status=SupportStatus.REQUESTED if support_requested else SupportStatus.NOT_REQUESTED,
        support_justification=justification if support_requested else "",
        **{"meeting" if isinstance(target, Meeting) else "event": target},
    )
    registration.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as error:
        raise RegistrationRefused(
            _("You are already registered for %(name)s.") % {"name": target.name}, status=409
        ) from error
    return registration


def withdraw(*, registration):
    """The member withdraws: the registration goes, with its needs and any support request."""
    registration.delete()


def decide_support(*, registration, approve, amount=None, currency="", note="", today=None):
    """Approve (with an amount and currency) or decline a request for travel support, with a note."""
    registration.support_status = SupportStatus.APPROVED if approve else SupportStatus.DECLINED
    registration.support_amount = amount if approve else None
    registration.support_currency = currency.upper() if approve else ""
    registration.support_note = note
    registration.support_decided_on = today or timezone.localdate()
    registration.full_clean()
    registration.save()
    return registration


@transaction.atomic
def admit_registrations(*, meeting):
    """Once `meeting` is held, each accepted registration's person joins its participants (at the end of
    the list, with the organization they registered with). Idempotent: a person already on the list stays
    as they are. Returns the number of participations added; none before the meeting is held."""
    if meeting.status != MeetingStatus.HELD:
        return 0
    accepted = meeting.registrations.filter(status=RegistrationStatus.ACCEPTED, person__isnull=False).exclude(
        person__participations__meeting=meeting
    )
    accepted = list(accepted.select_related("person", "organization").order_by("created_at", "id"))
    if not accepted:
        return 0
    last = meeting.participations.aggregate(last=Coalesce(Max("position"), -1))["last"]
    Participation.objects.bulk_create(
        [
            Participation(
                meeting=meeting,
                person=registration.person,
                organization=registration.organization,
                role=ParticipationRole.PARTICIPANT,
                position=last + number,
            )
            for number, registration in enumerate(accepted, start=1)
        ],
        ignore_conflicts=True,  # the unique (person, meeting) constraint: a concurrent run added them
    )
    return len(accepted)


def retention_cutoff(*, today, days):
    """The last day of a meeting or event whose registrations' private data must be blank by `today`."""
    return today - datetime.timedelta(days=days)


def blank_private_data(*, today, days):
    """Blank the needs and the travel-support data of registrations for meetings and events that ended
    more than `days` days before `today` (the last day is the end date, else the start date). The
    registration itself (who registered, accepted or not, support approved or not) stays. Returns how many
    registrations were blanked."""
    cutoff = retention_cutoff(today=today, days=days)
    ended = Q(meeting__isnull=False) & Q(
        Q(meeting__end_date__lt=cutoff) | Q(meeting__end_date__isnull=True, meeting__start_date__lt=cutoff)
    ) | Q(event__isnull=False) & Q(
        Q(event__end_date__lt=cutoff) | Q(event__end_date__isnull=True, event__start_date__lt=cutoff)
    )
    has_private_data = ~Q(needs="") | ~Q(support_justification="") | ~Q(support_note="")
    has_private_data |= Q(support_amount__isnull=False) | ~Q(support_currency="")
    return Registration.objects.filter(ended, has_private_data).update(
        needs="",
        support_justification="",
        support_amount=None,
        support_currency="",
        support_note="",
        private_data_blanked_on=today,
    )


EXPORT_HEADER = [
    "registered",
    "meeting_or_event",
    "name",
    "email",
    "organization",
    "status",
    "needs",
    "support",
    "justification",
    "amount",
    "currency",
    "support_note",
]


def export_rows(registrations):
    """The organizers' list as CSV rows (header first); the caller writes them through core.spreadsheets."""
    yield EXPORT_HEADER
    for registration in registrations:
        yield [
            registration.created_at.date().isoformat(),
            registration.target.name,
            registration.person.name if registration.person else registration.user.get_username(),
            registration.user.email,
            registration.organization.name if registration.organization else "",
            registration.get_status_display(),
            registration.needs,
            registration.get_support_status_display() if registration.support_status else "",
            registration.support_justification,
            "" if registration.support_amount is None else str(registration.support_amount),
            registration.support_currency,
            registration.support_note,
        ]


def export_csv(registrations, handle):
    """Write the list to `handle` through the project's one spreadsheet guard."""
    spreadsheets.writer(handle).writerows(export_rows(registrations))
