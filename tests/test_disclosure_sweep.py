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
