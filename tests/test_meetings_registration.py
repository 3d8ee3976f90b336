"""Registration and travel support (issue 24, part 4): members register while the window is open, ask for
travel support, see and withdraw their registration on their dashboard; organizers decide in the admin and
export the list; accepted registrations become participants once the meeting is held; private data is
never shown to others and is blanked after the retention period."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import Event, EventKind, Meeting, Participation, Registration, RegistrationStatus, SupportStatus
from meetings.services import registrations as services
from tests.members_helpers import client_for

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
NEEDS = "Vegetarian; step-free access"
WHY = "No travel budget in my municipality"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def meeting(today):
    return Meeting.objects.create(
        name="Third TWG meeting",
        slug="third",
        status="planned",
        start_date=today + 40 * DAY,
        registration_opens=today - DAY,
        registration_closes=today + 10 * DAY,
    )


def register(client, meeting, **data):
    return client.post(reverse("meetings:register", args=[meeting.slug]), data)


def test_a_member_registers_asks_for_support_and_sees_it_on_the_page(member, meeting):
    client = client_for(member.user)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Dietary and access needs" in page and 'action="/meetings/third/register/"' in page
    response = register(client, meeting, needs=NEEDS, support_requested="on", justification=WHY)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.person, registration.meeting, registration.support_status) == (
        member.person,
        meeting,
        SupportStatus.REQUESTED,
    )
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert NEEDS in page and "Requested, awaiting a decision" in page and "Withdraw my registration" in page


def test_support_needs_a_justification_of_bounded_length(member, meeting):
    client = client_for(member.user)
    response = register(client, meeting, support_requested="on", justification="")
    assert response.status_code == 400 and "Say briefly why you need travel support." in response.content.decode()
    response = register(client, meeting, support_requested="on", justification="x" * 1001)
    assert response.status_code == 400 and "at most 1000 characters" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_closed_window_offers_no_form_and_refuses_a_post(member, meeting, today):
    meeting.registration_closes = today - DAY
    meeting.registration_opens = today - 9 * DAY
    meeting.save()
    client = client_for(member.user)
    assert "Dietary and access needs" not in client.get(meeting.get_absolute_url()).content.decode()
    response = register(client, meeting, needs=NEEDS)
    assert response.status_code == 403
    assert "Registration for Third TWG meeting is closed." in response.content.decode()
    assert not Registration.objects.exists()


def test_a_second_registration_is_refused_by_the_constraint(member, meeting):
    client = client_for(member.user)
    assert register(client, meeting).status_code == 302
    response = register(client, meeting)
    assert response.status_code == 409 and "already registered" in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(user=member.user, meeting=meeting)


def test_visitors_and_accounts_without_a_member_profile_cannot_register(meeting, organizer):
    response = register(Client(), meeting)
    assert response.status_code == 302 and reverse("members:login") in response["Location"]
    assert register(client_for(organizer), meeting).status_code == 404
    assert "Members can register" in Client().get(meeting.get_absolute_url()).content.decode()


def test_an_event_takes_registrations_too(member, today):
    event = Event.objects.create(
        name="Executive course", slug="course", kind=EventKind.COURSE, registration_closes=today + DAY
    )
    client = client_for(member.user)
    assert client.post(reverse("meetings:event_register", args=[event.slug]), {"needs": NEEDS}).status_code == 302
    assert Registration.objects.get().event == event
    assert NEEDS in client.get(event.get_absolute_url()).content.decode()


def test_needs_and_support_are_shown_to_nobody_else(member, second_member, meeting):
    register(client_for(member.user), meeting, needs=NEEDS, support_requested="on", justification=WHY)
    for client in (Client(), client_for(second_member.user)):
        for url in (meeting.get_absolute_url(), reverse("meetings:workplan"), reverse("members:dashboard")):
            text = client.get(url, follow=True).content.decode()
            assert NEEDS not in text and WHY not in text


def test_the_dashboard_lists_and_withdraws_own_registrations(member, second_member, meeting):
    register(client_for(member.user), meeting, needs=NEEDS)
    registration = Registration.objects.get()
    client = client_for(member.user)
    page = client.get(reverse("members:dashboard")).content.decode()
    assert "Third TWG meeting" in page and "Registered, awaiting the organizers" in page
    withdraw = reverse("meetings:registration_withdraw", args=[registration.pk])
    assert client_for(second_member.user).post(withdraw).status_code == 404  # not theirs
    response = client.post(withdraw, {"next": reverse("members:dashboard")})
    assert response.status_code == 302 and response["Location"] == reverse("members:dashboard")
    assert not Registration.objects.exists()


def test_an_organizer_approves_support_with_an_amount_in_the_admin(organizer_client, member, meeting):
    register(client_for(member.user), meeting, support_requested="on", justification=WHY)
    registration = Registration.objects.get()
    url = reverse("admin:meetings_registration_change", args=[registration.pk])
    page = organizer_client.get(url).content.decode()
    assert WHY in page
    form = {"status": "accepted", "support_status": "approved", "support_amount": "", "support_currency": "CHF"}
    response = organizer_client.post(url, form | {"support_note": "Economy fare"})
    assert response.status_code == 200 and "Approving support needs an amount." in response.content.decode()
    response = organizer_client.post(url, form | {"support_amount": "850.00", "support_note": "Economy fare"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.support_amount, registration.support_currency) == (Decimal("850.00"), "CHF")
    assert registration.support_decided_on == timezone.localdate()
    assert "850.00 CHF" in client_for(member.user).get(meeting.get_absolute_url()).content.decode()


def test_the_export_goes_through_the_spreadsheet_guard(organizer_client, member, meeting):
    register(client_for(member.user), meeting, needs="=HYPERLINK(1)")
    response = organizer_client.post(
        reverse("admin:meetings_registration_changelist"),
        {"action": "export_csv", "_selected_action": [Registration.objects.get().pk]},
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == services.EXPORT_HEADER
    assert rows[1][2] == "Amina Diallo" and rows[1][6] == "'=HYPERLINK(1)"


def test_accepted_registrations_become_participants_once_held_idempotently(organizer_client, member, meeting):
    register(client_for(member.user), meeting)
    Registration.objects.update(status=RegistrationStatus.ACCEPTED)
    assert services.admit_registrations(meeting=meeting) == 0  # not held yet
    meeting.status = "held"
    meeting.save()
    change = reverse("admin:meetings_meeting_changelist")
    response = organizer_client.post(change, {"action": "admit_registrations", "_selected_action": [meeting.pk]})
    assert response.status_code == 302
    assert list(Participation.objects.values_list("person", flat=True)) == [member.person.pk]
    assert services.admit_registrations(meeting=meeting) == 0  # again: nothing more
    assert Participation.objects.count() == 1


def test_retention_blanks_needs_and_support_after_the_period(member, second_member, meeting, today, settings):
    register(client_for(member.user), meeting, needs=NEEDS, support_requested="on", justification=WHY)
    services.decide_support(
        registration=Registration.objects.get(), approve=True, amount=Decimal("500"), currency="usd", note="ok"
    )
    settings.REGISTRATION_DATA_RETENTION_DAYS = 180
    Meeting.objects.filter(pk=meeting.pk).update(start_date=today - 180 * DAY, status="held")
    call_command("blank_registration_data", stdout=io.StringIO())
    assert Registration.objects.get().needs == NEEDS  # the 180th day: still kept
    Meeting.objects.filter(pk=meeting.pk).update(start_date=today - 181 * DAY)
    out = io.StringIO()
    call_command("blank_registration_data", stdout=out)
    assert "1 registration" in out.getvalue()
    blanked = Registration.objects.get()
    assert (blanked.needs, blanked.support_justification, blanked.support_amount, blanked.support_note) == (
        "",
        "",
        None,
        "",
    )
    assert blanked.support_status == SupportStatus.APPROVED and blanked.private_data_blanked_on == today


def test_registration_costs_a_member_one_query_on_the_meeting_page(member, meeting):
    register(client_for(member.user), meeting, needs=NEEDS)
    client = client_for(member.user)
    client.get(meeting.get_absolute_url())  # the session's first read
    with CaptureQueriesContext(connection) as visitor:
        Client().get(meeting.get_absolute_url())
    with CaptureQueriesContext(connection) as as_member:
        page = client.get(meeting.get_absolute_url()).content.decode()
    assert NEEDS in page
    # The member's: the session, the user, their member profile, their registration.
    assert len(as_member) == len(visitor) + 4, [q["sql"][:80] for q in as_member]


def test_accepting_after_the_meeting_was_held_adds_the_participant_at_once(organizer_client, member, meeting):
    register(client_for(member.user), meeting)
    Meeting.objects.filter(pk=meeting.pk).update(status="held")
    response = organizer_client.post(
        reverse("admin:meetings_registration_changelist"),
        {"action": "accept", "_selected_action": [Registration.objects.get().pk]},
    )
    assert response.status_code == 302
    assert Participation.objects.get(meeting=meeting).person == member.person


def test_a_milestone_shows_its_history_in_the_admin(organizer_client):
    from meetings.models import Milestone, MilestoneChange, ProgressReview

    item = Milestone.objects.create(title="Depository", slug="depository")
    review = ProgressReview.objects.create(held_on=datetime.date(2016, 2, 1))
    MilestoneChange.objects.create(review=review, milestone=item, status="done", note="Online since January")
    page = organizer_client.get(reverse("admin:meetings_milestone_change", args=[item.pk])).content.decode()
    assert "Online since January" in page and "Progress review of 2016-02-01" in page
