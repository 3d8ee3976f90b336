"""Input papers: create and edit, who may see what, and who may take which step."""

import pytest
from django.core import mail
from django.urls import reverse

from depository.models import Theme
from members.models import InputPaper, Member, PaperEvent, PaperStatus
from members.services.papers import PaperRefused, transition_paper
from people.models import Person
from tests.members_helpers import client_for, make_paper, post_upload, read_file_response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_roots")]


def test_a_member_creates_a_draft(member_client, member, second_member):
    theme = Theme.objects.create(name="Crime prevention", slug="crime-prevention")
    response = member_client.post(
        reverse("members:paper_create"),
        {
            "title": "Primary, secondary and tertiary crime prevention",
            "abstract": "Three levels of prevention.",
            "language": "en",
            "authors": [second_member.person_id],
            "themes": [theme.pk],
            "tags": "prevention, cities",
        },
    )
    paper = InputPaper.objects.get()
    assert response.status_code == 302
    assert response["Location"] == paper.get_absolute_url()
    assert paper.status == PaperStatus.DRAFT
    assert paper.submitted_by == member
    assert sorted(paper.authors.values_list("name", flat=True)) == ["Amina Diallo", "Bruno Castillo"]
    assert sorted(paper.tags.names()) == ["cities", "prevention"]
    assert list(paper.themes.all()) == [theme]


def test_a_title_is_required(member_client):
    response = member_client.post(reverse("members:paper_create"), {"title": "", "language": "en"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not InputPaper.objects.exists()


def test_the_author_edits_a_draft(member_client, member):
    paper = make_paper(member)
    response = member_client.post(
        reverse("members:paper_edit", args=[paper.pk]),
        {"title": "A better title", "language": "fr", "authors": [member.person_id]},
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert (paper.title, paper.language) == ("A better title", "fr")


def test_a_submitted_paper_cannot_be_edited(member_client, member):
    paper = make_paper(member, status=PaperStatus.SUBMITTED)
    response = member_client.post(
        reverse("members:paper_edit", args=[paper.pk]), {"title": "Changed", "language": "en"}
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.title != "Changed"


def test_another_member_can_neither_read_nor_edit_a_draft(client, member, second_member):
    paper = make_paper(member)
    post_client = client
    post_client.force_login(member.user)
    assert post_upload(post_client, paper).status_code == 302
    client.force_login(second_member.user)
    for url in (
        reverse("members:paper", args=[paper.pk]),
        reverse("members:paper_edit", args=[paper.pk]),
        reverse("members:paper_file", args=[paper.pk, 1]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("members:paper_edit", args=[paper.pk]), {"title": "Hijacked"}).status_code == 404
    assert post_upload(client, paper).status_code == 404
    assert client.post(reverse("members:paper_transition", args=[paper.pk, "submit"])).status_code == 404
    paper.refresh_from_db()
    assert (paper.title, paper.status, paper.versions.count()) == ("Urban safety and conflict prevention", "draft", 1)


def test_a_co_author_member_reads_and_revises(client, member, second_member):
    paper = make_paper(member)
    paper.authors.add(second_member.person)
    client.force_login(second_member.user)
    assert client.get(reverse("members:paper", args=[paper.pk])).status_code == 200
    assert post_upload(client, paper).status_code == 302
    response = client.get(reverse("members:paper_file", args=[paper.pk, 1]))
    assert response.status_code == 200
    assert read_file_response(response).startswith(b"%PDF-")


def test_anonymous_visitors_get_404_for_files_and_login_for_pages(client, member):
    paper = make_paper(member)
    client.force_login(member.user)
    post_upload(client, paper)
    client.logout()
    assert client.get(reverse("members:paper_file", args=[paper.pk, 1])).status_code == 404
    assert client.get(reverse("members:paper_file", args=[paper.pk, 99])).status_code == 404
    assert client.get(reverse("members:paper_file", args=[paper.pk + 1000, 1])).status_code == 404
    response = client.get(reverse("members:paper", args=[paper.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("members:login"))


def test_organizers_download_every_version(organizer_client, member):
    paper = make_paper(member)
    author = client_for(member.user)
    post_upload(author, paper)
    post_upload(author, paper, name="second.pdf")
    for number in (1, 2):
        response = organizer_client.get(reverse("members:paper_file", args=[paper.pk, number]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
        assert read_file_response(response).startswith(b"%PDF-")
    assert 'filename="second.pdf"' in response["Content-Disposition"]


def test_an_author_cannot_accept_their_own_paper(member_client, member):
    paper = make_paper(member, status=PaperStatus.UNDER_REVIEW)
    # Not through the members' pages (only authors' steps are there) ...
    assert member_client.post(reverse("members:paper_transition", args=[paper.pk, "accept"])).status_code == 404
    # ... not through the admin (organizers only) ...
    response = member_client.post(
        reverse("admin:members_inputpaper_decide", args=[paper.pk]), {"action": "accept", "comment": ""}
    )
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    # ... and not through the service either.
    with pytest.raises(PaperRefused):
        transition_paper(paper=paper, action="accept", user=member.user)
    paper.refresh_from_db()
    assert paper.status == PaperStatus.UNDER_REVIEW
    assert not PaperEvent.objects.exists()


def test_an_organizer_who_co_authors_a_paper_cannot_decide_on_it(organizer_client, organizer, member):
    person = Person.objects.create(name="Olga Organizer", slug="olga-organizer")
    Member.objects.create(user=organizer, person=person)
    paper = make_paper(member, status=PaperStatus.UNDER_REVIEW)
    paper.authors.add(person)
    with pytest.raises(PaperRefused):
        transition_paper(paper=paper, action="accept", user=organizer)
    response = organizer_client.get(reverse("admin:members_inputpaper_decide", args=[paper.pk]))
    assert "No decision can be taken" in response.content.decode()


def test_submitting_needs_a_file(member_client, member):
    paper = make_paper(member)
    response = member_client.post(reverse("members:paper_transition", args=[paper.pk, "submit"]), follow=True)
    assert "Upload the paper&#x27;s file before submitting it." in response.content.decode()
    paper.refresh_from_db()
    assert paper.status == PaperStatus.DRAFT


def test_each_step_is_recorded_and_tells_the_other_side(
    member, organizer, organizer_client, django_capture_on_commit_callbacks
):
    member_client = client_for(member.user)
    paper = make_paper(member)
    post_upload(member_client, paper)
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(reverse("members:paper_transition", args=[paper.pk, "submit"]), {"comment": "Ready."})
    assert [message.to for message in mail.outbox] == [["olga@example.org"]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(reverse("admin:members_inputpaper_decide", args=[paper.pk]), {"action": "start_review"})
        organizer_client.post(
            reverse("admin:members_inputpaper_decide", args=[paper.pk]),
            {"action": "request_changes", "comment": "Please add the Beirut case."},
        )
    assert [message.to for message in mail.outbox] == [["amina@example.org"], ["amina@example.org"]]
    assert "Please add the Beirut case." in mail.outbox[1].body
    events = list(paper.events.values_list("actor__username", "from_status", "to_status", "comment"))
    assert events == [
        ("amina", "draft", "submitted", "Ready."),
        ("olga", "submitted", "under_review", ""),
        ("olga", "under_review", "changes_requested", "Please add the Beirut case."),
    ]
    page = member_client.get(reverse("members:paper", args=[paper.pk])).content.decode()
    assert "Please add the Beirut case." in page


def test_a_wrong_step_gets_a_message_not_an_error(organizer_client, member):
    paper = make_paper(member, status=PaperStatus.UNDER_REVIEW)
    response = organizer_client.post(reverse("admin:members_inputpaper_decide", args=[paper.pk]), {"action": "publish"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    paper.refresh_from_db()
    assert paper.status == PaperStatus.UNDER_REVIEW
    draft = make_paper(member, title="Still a draft")
    response = organizer_client.get(reverse("admin:members_inputpaper_decide", args=[draft.pk]))
    assert "No decision can be taken" in response.content.decode()


def test_the_review_queue_filters_by_status(organizer_client, member):
    make_paper(member, title="Waiting paper", status=PaperStatus.SUBMITTED)
    make_paper(member, title="Draft paper")
    response = organizer_client.get(reverse("admin:members_inputpaper_changelist"), {"status__exact": "submitted"})
    content = response.content.decode()
    assert "Waiting paper" in content and "Draft paper" not in content


def test_start_review_admin_action(organizer_client, member):
    paper = make_paper(member, status=PaperStatus.SUBMITTED)
    response = organizer_client.post(
        reverse("admin:members_inputpaper_changelist"),
        {"action": "start_review", "_selected_action": [paper.pk]},
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.status == PaperStatus.UNDER_REVIEW


def test_the_admin_change_page_shows_versions_and_history(organizer_client, member):
    member_client = client_for(member.user)
    paper = make_paper(member)
    post_upload(member_client, paper, name="draft-one.pdf")
    member_client.post(reverse("members:paper_transition", args=[paper.pk, "submit"]), {"comment": "Ready."})
    response = organizer_client.get(reverse("admin:members_inputpaper_change", args=[paper.pk]))
    content = response.content.decode()
    assert "draft-one.pdf" in content
    assert reverse("members:paper_file", args=[paper.pk, 1]) in content
    assert "Ready." in content
    assert reverse("admin:members_inputpaper_decide", args=[paper.pk]) in content


@pytest.mark.parametrize("count", [1, 3])
def test_paper_page_query_count_does_not_grow_with_versions_and_events(member, count, django_assert_num_queries):
    paper = make_paper(member)
    author = client_for(member.user)
    for index in range(count):
        post_upload(author, paper, name=f"v{index}.pdf")
    for _ in range(count):
        PaperEvent.objects.create(paper=paper, actor=member.user, from_status="draft", to_status="submitted")
    # session, user, member (for the look-up), the paper with submitter, organization and entry, its
    # authors, city types, violence types, themes, cities and tags, versions with uploaders, events with actors.
    with django_assert_num_queries(12):
        response = author.get(reverse("members:paper", args=[paper.pk]))
    assert response.status_code == 200


def test_the_authors_steps_share_one_comment_box(member_client, member):
    paper = make_paper(member)
    content = member_client.get(reverse("members:paper", args=[paper.pk])).content.decode()
    assert content.count('name="comment"') == 1
    assert f'formaction="{reverse("members:paper_transition", args=[paper.pk, "submit"])}"' in content
    assert f'formaction="{reverse("members:paper_transition", args=[paper.pk, "withdraw"])}"' in content


def test_an_author_withdraws_and_organizers_hear_of_it(member, organizer, django_capture_on_commit_callbacks):
    author = client_for(member.user)
    paper = make_paper(member, status=PaperStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        author.post(reverse("members:paper_transition", args=[paper.pk, "withdraw"]), {"comment": "Not ready."})
    paper.refresh_from_db()
    assert paper.status == PaperStatus.WITHDRAWN
    (message,) = mail.outbox
    assert message.to == ["olga@example.org"]
    assert "(Amina Diallo)" in message.body and "Not ready." in message.body


def test_an_organizer_rejects_with_a_comment_the_author_reads(organizer_client, member):
    paper = make_paper(member, status=PaperStatus.UNDER_REVIEW)
    organizer_client.post(
        reverse("admin:members_inputpaper_decide", args=[paper.pk]),
        {"action": "reject", "comment": "Outside the TWG's scope."},
    )
    paper.refresh_from_db()
    assert paper.status == PaperStatus.REJECTED
    page = client_for(member.user).get(reverse("members:paper", args=[paper.pk])).content.decode()
    assert "Outside the TWG&#x27;s scope." in page
    assert "Rejected" in page


def test_an_author_starts_writing_a_paper_proposed_at_a_meeting(member_client, member, organizer):
    paper = make_paper(member, status=PaperStatus.PROPOSED)
    content = member_client.get(reverse("members:paper", args=[paper.pk])).content.decode()
    assert f'formaction="{reverse("members:paper_transition", args=[paper.pk, "start_writing"])}"' in content
    # Nothing to upload until the paper is a draft.
    assert 'name="file"' not in content
    response = member_client.post(reverse("members:paper_transition", args=[paper.pk, "start_writing"]), follow=True)
    assert response.status_code == 200
    paper.refresh_from_db()
    assert paper.status == PaperStatus.DRAFT
    assert PaperEvent.objects.get(paper=paper).from_status == PaperStatus.PROPOSED
    assert 'name="file"' in response.content.decode()
    # Only a proposal can be started.
    response = member_client.post(reverse("members:paper_transition", args=[paper.pk, "start_writing"]), follow=True)
    assert "A paper that is “Draft” cannot take the step “Start writing”." in response.content.decode()
    paper.refresh_from_db()
    assert paper.status == PaperStatus.DRAFT
