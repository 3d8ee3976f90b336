"""Issue 13, findings 4 and 8 (members and meetings side): a person's disclosure level holds wherever
their name can appear. Here: answers to guiding questions made public; the participant CSV (organizers
only); the paper pages (authors and organizers only). Meeting pages: tests/test_meetings_privacy.py."""

import pytest
from django.test import Client
from django.urls import reverse

from members.models import Answer, Question
from people.models import Disclosure, Organization
from tests.conftest import make_member
from tests.members_helpers import client_for, make_paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def answers(db):
    """One public question answered publicly by three members, one per disclosure level."""
    lab = Organization.objects.create(name="Beirut Urban Lab", slug="beirut-urban-lab")
    question = Question.objects.create(text="What works in Beirut?", is_public=True)
    authors = {}
    for level, username, name in [
        (Disclosure.PUBLIC, "pia", "Pia Public"),
        (Disclosure.MEMBERS, "mo", "Mo Membersonly"),
        (Disclosure.ORGANIZERS, "oz", "Oz Organizersonly"),
    ]:
        member = make_member(username, name, organization=lab)
        member.person.disclosure = level
        member.person.save()
        Answer.objects.create(question=question, member=member, text=f"Answer by {username}", is_public=True)
        authors[level] = member
    return authors


def page_as(client):
    response = client.get(reverse("members:questions"))
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_see_public_names_only(answers):
    page = page_as(Client())
    assert "Pia Public" in page
    assert "Mo Membersonly" not in page
    assert "one participant from Beirut Urban Lab" in page
    assert "Oz Organizersonly" not in page
    assert page.count("Answer by") == 3


def test_members_see_members_only_names_not_organizers_only_ones(answers, second_member):
    page = page_as(client_for(second_member.user))
    assert "Pia Public" in page and "Mo Membersonly" in page
    assert "Oz Organizersonly" not in page
    assert "one participant</span>" in page  # Oz, without the organization either


def test_organizers_see_every_name(answers, organizer):
    page = page_as(client_for(organizer))
    assert all(name in page for name in ("Pia Public", "Mo Membersonly", "Oz Organizersonly"))


@pytest.mark.parametrize("count", [1, 3])
def test_the_question_page_costs_the_same_for_one_answer_or_three(answers, count, django_assert_num_queries):
    Answer.objects.filter(member__user__username__in=["pia", "mo", "oz"][count:]).delete()
    # 1 session-less visitor: the questions, then their public answers with member, person, organization.
    with django_assert_num_queries(2):
        Client().get(reverse("members:questions"))


def test_the_participant_csv_is_for_organizers_only(organizer, member):
    import datetime

    from meetings.models import Meeting

    meeting = Meeting.objects.create(name="Inception", slug="inception", start_date=datetime.date(2014, 11, 5))
    url = reverse("admin:meetings_meeting_export_participants", args=[meeting.pk])
    for client in (Client(), client_for(member.user)):
        response = client.get(url)
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert client_for(organizer).get(url).status_code == 200


def test_a_paper_page_names_its_authors_only_to_them_and_organizers(member, second_member, organizer):
    paper = make_paper(member)
    url = reverse("members:paper", args=[paper.pk])
    assert client_for(second_member.user).get(url).status_code == 404
    assert "Login" not in Client().get(url).get("Location", "Login")  # anonymous: sent to log in
    assert "Amina Diallo" in client_for(organizer).get(url).content.decode()


# -- The network's pages (issue 24): the directory, the people panels, sub-groups and their e-mails. --
@pytest.fixture
def network(db):
    """Three members with profiles on one theme and city, one per disclosure level, all in a sub-group,
    each having posted an update."""
    from django.utils import timezone

    from network.models import Delivery, MembershipStatus, SubGroup, SubGroupMembership, SubGroupUpdate
    from tests.depository_helpers import theme
    from tests.network_helpers import member_with_profile

    lab = Organization.objects.create(name="Beirut Urban Lab", slug="beirut-urban-lab")
    group = SubGroup.objects.create(name="Youth", slug="youth", purpose="Youth violence.")
    group.themes.add(theme("youth"))
    people = {}
    for level, username, name in [
        (Disclosure.PUBLIC, "pia", "Pia Public"),
        (Disclosure.MEMBERS, "mo", "Mo Membersonly"),
        (Disclosure.ORGANIZERS, "oz", "Oz Organizersonly"),
    ]:
        member = member_with_profile(
            username, name, disclosure=level, organization=lab, themes=["youth"], cities=["beirut"]
        )
        SubGroupMembership.objects.create(
            subgroup=group,
            member=member,
            status=MembershipStatus.ACCEPTED,
            accepted_at=timezone.now(),
            delivery=Delivery.IMMEDIATE,
        )
        SubGroupUpdate.objects.create(subgroup=group, author=member, text=f"Update by {username}")
        people[level] = member
    return group


NETWORK_PAGES = [
    lambda: reverse("network:directory"),
    lambda: reverse("network:directory") + "?theme=youth",
    lambda: reverse("network:people") + "?theme=youth&city=beirut",
    lambda: reverse("network:subgroups"),
    lambda: reverse("network:subgroup", args=["youth"]),
    lambda: reverse("places:city", args=["beirut"]),
]


def test_the_network_pages_show_no_member_to_a_visitor(network):
    for page in NETWORK_PAGES:
        response = Client().get(page())
        text = response.content.decode()
        assert response.status_code in {200, 302}
        assert not any(name in text for name in ("Pia Public", "Mo Membersonly", "Oz Organizersonly")), page()


def test_the_network_pages_show_no_organizers_only_name_to_a_member(network, second_member):
    client = client_for(second_member.user)
    for page in NETWORK_PAGES:
        response = client.get(page())
        assert response.status_code == 200, page()
        assert "Oz Organizersonly" not in response.content.decode(), page()
    assert "Mo Membersonly" in client.get(reverse("network:directory")).content.decode()
    assert "Mo Membersonly" in client.get(reverse("network:subgroup", args=["youth"])).content.decode()


def test_the_network_pages_name_everyone_to_organizers(network, organizer):
    client = client_for(organizer)
    for page in [NETWORK_PAGES[0], NETWORK_PAGES[4]]:
        text = client.get(page()).content.decode()
        assert all(name in text for name in ("Pia Public", "Mo Membersonly", "Oz Organizersonly")), page()


def test_an_update_mailed_to_members_does_not_name_an_organizers_only_author(network):
    from django.core import mail

    from network.models import SubGroupMembership
    from network.services import post_update

    oz = SubGroupMembership.objects.get(member__user__username="oz").member
    mail.outbox.clear()
    post_update(subgroup=network, author=oz, text="Quiet news")
    assert sorted(message.to[0] for message in mail.outbox) == ["mo@example.org", "pia@example.org"]
    for message in mail.outbox:
        assert "Quiet news" in message.body
        assert "Oz Organizersonly" not in message.body and "Oz Organizersonly" not in message.alternatives[0][0]


def test_registration_needs_support_and_reviewers_stay_private(member, second_member, organizer):
    """Issue 24: a member's needs and travel-support request, and the name of an organizers-only person who
    took part in a progress review, on every page of the work plan and registration."""
    import datetime

    from django.utils import timezone

    from meetings.models import Event, EventKind, Meeting, ProgressReview, Registration
    from people.models import Person

    today = timezone.localdate()
    meeting = Meeting.objects.create(
        name="Third", slug="third", start_date=today + datetime.timedelta(days=30), registration_closes=today
    )
    event = Event.objects.create(name="Course", slug="course", kind=EventKind.COURSE, registration_closes=today)
    for target in ({"meeting": meeting}, {"event": event}):
        Registration.objects.create(
            user=member.user,
            person=member.person,
            needs="Kosher-meals-secret",
            support_status="approved",
            support_justification="Justification-secret",
            support_amount=700,
            support_currency="EUR",
            support_note="Note-secret",
            **target,
        )
    review = ProgressReview.objects.create(held_on=today)
    review.participants.add(Person.objects.create(name="Oz Organizersonly", slug="oz", disclosure="organizers"))
    secrets = ["Kosher-meals-secret", "Justification-secret", "Note-secret", "700", "Oz Organizersonly"]
    urls = [reverse("meetings:workplan"), meeting.get_absolute_url(), event.get_absolute_url()]
    for client in (Client(), client_for(second_member.user)):
        for url in [*urls, reverse("members:dashboard")]:
            text = client.get(url, follow=True).content.decode()
            assert [secret for secret in secrets if secret in text] == [], url
    own = client_for(member.user)
    for url in urls[1:] + [reverse("members:dashboard")]:
        assert "700" in own.get(url).content.decode()  # their own decision, on their pages
    assert "Oz Organizersonly" in client_for(organizer).get(urls[0]).content.decode()
