"""Issue 24, part 2: sub-groups. Organizers create them; members ask to join; organizers or the lead
accept; members post dated updates, e-mailed at once or as a digest, with a one-click unsubscribe
(the alerts' mail rules: core.mail.PortalEmail, signed links, List-Unsubscribe headers, rate limits)."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from depository.models import Theme
from meetings.models import Meeting, Milestone
from network import services
from network.models import Delivery, MembershipStatus, SubGroup, SubGroupMembership, SubGroupUpdate
from people.models import Disclosure
from tests.conftest import make_member
from tests.depository_helpers import make_entry, theme
from tests.members_helpers import client_for, make_paper, run_task_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def subgroup(db, member):
    """'Youth violence', led by Amina (member), covering the youth-violence theme."""
    group = SubGroup.objects.create(
        name="Youth violence", slug="youth-violence", purpose="Compare <b>youth</b> programmes.", lead=member
    )
    group.themes.add(theme("youth-violence"))
    SubGroupMembership.objects.create(
        subgroup=group, member=member, status=MembershipStatus.ACCEPTED, accepted_at=timezone.now()
    )
    return group


def url(name, subgroup, *args):
    return reverse(f"network:{name}", args=[subgroup.slug, *args])


def test_a_member_asks_to_join_and_the_lead_accepts(subgroup, member, second_member):
    bruno = client_for(second_member.user)
    assert "Ask to join" in bruno.get(subgroup.get_absolute_url()).content.decode()
    assert bruno.post(url("join", subgroup)).status_code == 302
    assert bruno.post(url("join", subgroup)).status_code == 302  # asking twice is one request
    membership = SubGroupMembership.objects.get(member=second_member)
    assert membership.status == MembershipStatus.REQUESTED
    # Bruno cannot accept himself; the lead sees the request and accepts it.
    assert bruno.post(url("accept", subgroup, membership.pk)).status_code == 403
    lead_page = client_for(member.user).get(subgroup.get_absolute_url()).content.decode()
    assert "Asking to join" in lead_page and "Accept Bruno Castillo" in lead_page
    assert client_for(member.user).post(url("accept", subgroup, membership.pk)).status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACCEPTED and membership.accepted_at is not None
    assert "Post an update" in bruno.get(subgroup.get_absolute_url()).content.decode()


def test_organizers_accept_too_and_visitors_see_nothing(subgroup, second_member, organizer):
    membership = SubGroupMembership.objects.create(subgroup=subgroup, member=second_member)
    assert client_for(organizer).post(url("accept", subgroup, membership.pk)).status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACCEPTED
    response = Client().get(subgroup.get_absolute_url())
    assert response.status_code == 302 and reverse("members:login") in response["Location"]


def test_an_update_is_mailed_at_once_to_the_members_who_chose_so(subgroup, member, second_member):
    third = make_member("chen", "Chen Wei")
    for other, delivery in [(second_member, Delivery.IMMEDIATE), (third, Delivery.DIGEST)]:
        SubGroupMembership.objects.create(
            subgroup=subgroup,
            member=other,
            status=MembershipStatus.ACCEPTED,
            accepted_at=timezone.now(),
            delivery=delivery,
        )
    mail.outbox.clear()
    response = client_for(member.user).post(url("post", subgroup), {"text": "We meet in Beirut <soon>."})
    assert response.status_code == 302
    # Bruno (at once) gets it; Chen (digest) does not yet; the author never gets their own.
    assert [message.to for message in mail.outbox] == [["bruno@example.org"]]
    message = mail.outbox[0]
    assert "[Youth violence]" in message.subject
    assert "We meet in Beirut <soon>." in message.body and "Amina Diallo" in message.body
    html = message.alternatives[0][0]
    assert "We meet in Beirut &lt;soon&gt;." in html
    # One-click unsubscribe (RFC 8058), the link unencoded in the header.
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "=?utf-8?" not in message.message().as_string().split("List-Unsubscribe:")[1].splitlines()[0]
    path = (
        unsubscribe.split("testserver", 1)[-1]
        if "testserver" in unsubscribe
        else unsubscribe[unsubscribe.index("/network/") :]
    )
    assert Client().get(path).status_code == 200  # mail scanners follow links: GET only asks
    assert SubGroupMembership.objects.get(member=second_member).delivery == Delivery.IMMEDIATE
    assert Client(enforce_csrf_checks=True).post(path).status_code == 200
    assert SubGroupMembership.objects.get(member=second_member).delivery == Delivery.NONE
    page = client_for(second_member.user).get(subgroup.get_absolute_url()).content.decode()
    assert "We meet in Beirut &lt;soon&gt;." in page


def test_only_accepted_members_post_and_updates_are_bounded(subgroup, second_member):
    client = client_for(second_member.user)
    assert client.post(url("post", subgroup), {"text": "Hello"}).status_code == 403
    SubGroupMembership.objects.create(
        subgroup=subgroup, member=second_member, status=MembershipStatus.ACCEPTED, accepted_at=timezone.now()
    )
    assert client.post(url("post", subgroup), {"text": "x" * 4001}).status_code == 400
    assert not SubGroupUpdate.objects.exists()


def test_posting_is_rate_limited(subgroup, member, settings):
    settings.NETWORK_UPDATE_RATE = "2/h"
    client = client_for(member.user)
    for _ in range(3):
        client.post(url("post", subgroup), {"text": "Again"})
    assert SubGroupUpdate.objects.count() == 2


@pytest.mark.django_db(transaction=True)  # the task worker commits, as cron and db_worker would
def test_the_digest_gathers_a_weeks_updates_once(subgroup, member, second_member):
    week_ago = timezone.now() - datetime.timedelta(days=8)
    membership = SubGroupMembership.objects.create(
        subgroup=subgroup,
        member=second_member,
        status=MembershipStatus.ACCEPTED,
        accepted_at=week_ago,
        delivery=Delivery.DIGEST,
    )
    for text in ("First news", "Second news"):
        SubGroupUpdate.objects.create(
            subgroup=subgroup, author=member, text=text, posted_at=week_ago + datetime.timedelta(days=1)
        )
    SubGroupUpdate.objects.create(subgroup=subgroup, author=second_member, text="My own news")
    mail.outbox.clear()
    out = io.StringIO()
    call_command("send_subgroup_digests", stdout=out)  # queued for the worker, as the alerts' digest
    assert "queued" in out.getvalue() and not mail.outbox
    run_task_worker()
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == ["bruno@example.org"] and "2 new updates" in digest.subject
    assert "First news" in digest.body and "Second news" in digest.body and "My own news" not in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # At most once: a second run finds the digest claimed.
    assert services.send_digests() == 0
    membership.refresh_from_db()
    assert membership.digested_until is not None


def test_the_page_shows_purpose_milestones_meetings_entries_and_papers(subgroup, member, second_member):
    milestone = Milestone.objects.create(title="Comparative study of youth programmes", slug="study")
    meeting = Meeting.objects.create(name="Beirut meeting", slug="beirut", start_date=datetime.date(2027, 5, 4))
    subgroup.milestones.add(milestone)
    subgroup.meetings.add(meeting)
    make_entry("Youth gangs in Medellín", themes=["youth-violence"])
    make_entry("A draft on youth", themes=["youth-violence"], status="draft")
    make_entry("Water supply", themes=["water"])
    paper = make_paper(second_member, title="Bruno's youth paper")
    paper.themes.add(Theme.objects.get(slug="youth-violence"))
    html = client_for(member.user).get(subgroup.get_absolute_url()).content.decode()
    assert "Compare &lt;b&gt;youth&lt;/b&gt; programmes." in html
    assert "Comparative study of youth programmes" in html and "Beirut meeting" in html
    assert "Youth gangs in Medellín" in html
    assert "A draft on youth" not in html and "Water supply" not in html
    assert "Bruno&#x27;s youth paper" not in html  # a draft paper is its authors' (and organizers')
    assert (
        "Bruno&#x27;s youth paper" in client_for(second_member.user).get(subgroup.get_absolute_url()).content.decode()
    )


def test_members_are_shown_as_their_disclosure_allows(subgroup, member, organizer):
    shy = make_member("oz", "Oz Organizersonly")
    shy.person.disclosure = Disclosure.ORGANIZERS
    shy.person.save()
    SubGroupMembership.objects.create(
        subgroup=subgroup, member=shy, status=MembershipStatus.ACCEPTED, accepted_at=timezone.now()
    )
    assert "Oz Organizersonly" not in client_for(member.user).get(subgroup.get_absolute_url()).content.decode()
    assert "Oz Organizersonly" in client_for(organizer).get(subgroup.get_absolute_url()).content.decode()


@pytest.mark.parametrize("count", [1, 4])
def test_the_page_costs_the_same_whatever_its_members_and_updates(subgroup, member, count, django_assert_num_queries):
    for number in range(count):
        other = make_member(f"m{number}", f"Member {number}")
        SubGroupMembership.objects.create(
            subgroup=subgroup, member=other, status=MembershipStatus.ACCEPTED, accepted_at=timezone.now()
        )
        SubGroupUpdate.objects.create(subgroup=subgroup, author=other, text=f"News {number}")
    client = client_for(member.user)
    with django_assert_num_queries(QUERIES):
        client.get(subgroup.get_absolute_url())


# 1-3 the session, the user, the viewer's member account; 4 the sub-group with its lead (person,
# organization); 5-9 its themes, city types, violence types, milestones and meetings (a prefetch each);
# 10 its memberships (member, person, organization, whether the profile is hidden); 11 its updates
# (author, person, organization, hidden); 12 the entries on its terms; 13 the papers on its terms.
QUERIES = 13
