"""Guiding questions: members answer until the deadline; the public page shows syntheses and public answers."""

import datetime

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from members.models import Answer, Question

pytestmark = pytest.mark.django_db


def test_a_member_answers_and_edits_until_the_deadline(member_client, member):
    question = Question.objects.create(
        text="What does 'the confluence' mean in your city?",
        is_public=True,
        deadline=timezone.now() + datetime.timedelta(days=3),
    )
    url = reverse("members:answer", args=[question.pk])
    assert member_client.get(url).status_code == 200
    response = member_client.post(
        url, {"text": "Violence prevention and peacebuilding meet locally.", "is_public": "on"}
    )
    assert response.status_code == 302
    response = member_client.post(url, {"text": "Edited answer."})
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert (answer.member, answer.text, answer.is_public) == (member, "Edited answer.", False)


def test_after_the_deadline_the_answer_cannot_change(member_client, member):
    question = Question.objects.create(
        text="Closed?", is_public=True, deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    Answer.objects.create(question=question, member=member, text="Original")
    url = reverse("members:answer", args=[question.pk])
    page = member_client.get(url)
    assert page.status_code == 200
    assert "The deadline for answers to this question has passed." in page.content.decode()
    assert "<textarea" not in page.content.decode()
    response = member_client.post(url, {"text": "Too late"})
    assert response.status_code == 403
    assert Answer.objects.get().text == "Original"


def test_unpublished_questions_cannot_be_answered(member_client):
    question = Question.objects.create(text="Draft?", is_public=False)
    assert member_client.get(reverse("members:answer", args=[question.pk])).status_code == 404


def test_answering_needs_a_member(client, organizer_client):
    question = Question.objects.create(text="Q?", is_public=True)
    url = reverse("members:answer", args=[question.pk])
    assert organizer_client.get(url).status_code == 403
    organizer_client.logout()
    assert client.get(url).status_code == 302


def test_one_answer_per_member_per_question(member):
    question = Question.objects.create(text="Q?", is_public=True)
    Answer.objects.create(question=question, member=member, text="One")
    with pytest.raises(IntegrityError):
        Answer.objects.create(question=question, member=member, text="Two")


def make_questions(count, member, second_member):
    meeting = Meeting.objects.create(name="Corregidora", slug="corregidora", start_date=datetime.date(2015, 3, 23))
    for index in range(count):
        question = Question.objects.create(
            text=f"Question {index}?", is_public=True, synthesis=f"Synthesis {index}.", meeting=meeting, position=index
        )
        Answer.objects.create(question=question, member=member, text=f"Public answer {index}", is_public=True)
        Answer.objects.create(question=question, member=second_member, text=f"Private answer {index}")
    Question.objects.create(text="Unpublished question?", is_public=False)


def test_public_page_shows_syntheses_and_public_answers_only(client, member, second_member):
    make_questions(2, member, second_member)
    response = client.get(reverse("members:questions"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Question 1?" in content and "Synthesis 1." in content
    assert "Public answer 0" in content and '— <span class="person-name">Amina Diallo</span>' in content
    assert "Private answer" not in content
    assert "Unpublished question?" not in content
    assert "Corregidora" in content


@pytest.mark.parametrize("count", [1, 3])
def test_questions_page_query_count(client, member, second_member, count, django_assert_num_queries):
    make_questions(count, member, second_member)
    # questions with their meeting, public answers with member, person and user.
    with django_assert_num_queries(2):
        assert client.get(reverse("members:questions")).status_code == 200


def test_organizers_read_all_answers_side_by_side(organizer_client, member, second_member):
    make_questions(1, member, second_member)
    question = Question.objects.get(text="Question 0?")
    response = organizer_client.get(reverse("admin:members_question_change", args=[question.pk]))
    content = response.content.decode()
    assert "Public answer 0" in content and "Private answer 0" in content
    response = organizer_client.get(reverse("admin:members_answer_changelist"), {"question__id__exact": question.pk})
    assert response.status_code == 200
    assert "Private answer 0" in response.content.decode()


def test_organizers_write_the_synthesis(organizer_client):
    question = Question.objects.create(text="Q?", is_public=True)
    response = organizer_client.post(
        reverse("admin:members_question_change", args=[question.pk]),
        {
            "text": "Q?",
            "is_public": "on",
            "position": 0,
            "synthesis": "Members agree that local matters.",
            "answers-TOTAL_FORMS": 0,
            "answers-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert question.synthesis == "Members agree that local matters."


def test_answers_and_syntheses_are_escaped(client, member):
    question = Question.objects.create(text="<i>Q</i>?", is_public=True, synthesis="<script>alert(1)</script>")
    Answer.objects.create(question=question, member=member, text="<img src=x onerror=alert(1)>", is_public=True)
    content = client.get(reverse("members:questions")).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "<img src=x" not in content
    assert "&lt;img src=x onerror=alert(1)&gt;" in content
