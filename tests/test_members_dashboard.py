"""GET /members/: the member's papers, answers, what awaits them and upcoming meetings."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from members.models import Answer, PaperStatus, Question
from tests.members_helpers import make_paper

pytestmark = pytest.mark.django_db


def fill(member, second_member, count):
    today = timezone.localdate()
    for index in range(count):
        make_paper(member, title=f"Paper {index}", status=PaperStatus.CHANGES_REQUESTED if index == 0 else "draft")
        question = Question.objects.create(text=f"Answered question {index}?", is_public=True, position=index)
        Answer.objects.create(question=question, member=member, text="An answer")
        Question.objects.create(
            text=f"Open question {index}?",
            is_public=True,
            deadline=timezone.now() + datetime.timedelta(days=index + 1),
        )
        Meeting.objects.create(
            name=f"Meeting {index}", slug=f"meeting-{index}", start_date=today + datetime.timedelta(days=index)
        )
    # Not the member's, not public, past: none of these show.
    make_paper(second_member, title="Someone else's paper")
    Question.objects.create(text="Unpublished question?", is_public=False)
    Question.objects.create(
        text="Closed question?", is_public=True, deadline=timezone.now() - datetime.timedelta(days=1)
    )
    Meeting.objects.create(name="Past meeting", slug="past", start_date=today - datetime.timedelta(days=1))


def test_dashboard_shows_what_is_the_members(member_client, member, second_member):
    fill(member, second_member, 2)
    response = member_client.get(reverse("members:dashboard"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Welcome, Amina Diallo" in content
    assert "Paper 0" in content and "Paper 1" in content
    assert "Someone else&#x27;s paper" not in content and "Someone else's paper" not in content
    assert "changes requested" in content
    assert "Answered question 0?" in content
    assert "Open question 1?" in content
    assert "Unpublished question?" not in content
    assert "Closed question?" not in content
    assert "Meeting 1" in content
    assert "Past meeting" not in content
    assert [paper.title for paper in response.context["papers_awaiting"]] == ["Paper 0"]


def test_co_authored_papers_are_on_the_co_authors_dashboard(client, member, second_member):
    paper = make_paper(member, title="Written together")
    paper.authors.add(second_member.person)
    client.force_login(second_member.user)
    assert "Written together" in client.get(reverse("members:dashboard")).content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_dashboard_query_count_does_not_grow_with_rows(
    member_client, member, second_member, count, django_assert_num_queries
):
    fill(member, second_member, count)
    # session, user, member with person, the member's papers, open questions not yet answered,
    # answers with their questions, the member's registrations with their meetings and events (issue 24),
    # upcoming meetings with their cities.
    with django_assert_num_queries(8):
        response = member_client.get(reverse("members:dashboard"))
    assert response.status_code == 200


def test_a_user_without_a_member_account_sees_an_explanation(organizer_client):
    response = organizer_client.get(reverse("members:dashboard"))
    assert response.status_code == 200
    assert "not a member account" in response.content.decode()
