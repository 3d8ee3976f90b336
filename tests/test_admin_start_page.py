"""The organizers' start page (portal/admin_site.py): what waits, each count linking to the
filtered list that shows exactly those rows; recent changes by whom; models grouped by task."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from depository.models import Entry, ExtractionStatus
from members.models import Answer, InputPaper, PaperEvent, PaperStatus, Question
from tests.depository_helpers import attach, make_entry
from tests.members_helpers import make_paper

pytestmark = pytest.mark.django_db

INDEX = "/admin/"


def waiting_row(html, key):
    """(count, link) of one row of the start page's 'waiting' table."""
    row = re.search(rf'<tr class="waiting-{key}">(.*?)</tr>', html, re.S)
    assert row, f"no row {key}"
    link = re.search(r'<a href="([^"]+)"[^>]*><strong>(\d+)</strong>', row.group(1))
    if link:
        return int(link.group(2)), link.group(1).replace("&amp;", "&")
    return int(re.search(r"<td>(\d+)</td>", row.group(1)).group(1)), None


@pytest.fixture
def waiting_work(member, organizer):
    """One or two of every kind of waiting work, and something that does not wait beside each."""
    old = timezone.now() - timedelta(days=45)
    old_draft = make_entry("Forgotten draft", status="draft", themes=["policing"])
    Entry.objects.filter(pk=old_draft.pk).update(created_at=old)
    make_entry("Fresh draft", status="draft", themes=["policing"])
    make_entry("Untagged practice", themes=[])
    make_entry("Archived without theme", status="archived", themes=[])
    make_entry("Bad link", themes=["policing"], external_url="htp:/broken link")
    make_entry("Good link", themes=["policing"], external_url="https://unhabitat.org/safer-cities")
    entry = make_entry("With files", themes=["policing"])
    attach(entry, name="scan.pdf", extraction_status=ExtractionStatus.DONE, extracted_text="")
    attach(entry, name="broken.pdf", extraction_status=ExtractionStatus.FAILED, extraction_error="damaged")
    attach(entry, name="fine.pdf", extraction_status=ExtractionStatus.DONE, extracted_text="Urban safety")
    make_paper(member, "New submission", status=PaperStatus.SUBMITTED)
    revised = make_paper(member, "Revised submission", status=PaperStatus.SUBMITTED)
    PaperEvent.objects.create(
        paper=revised, actor=organizer, from_status=PaperStatus.UNDER_REVIEW, to_status=PaperStatus.CHANGES_REQUESTED
    )
    PaperEvent.objects.create(
        paper=revised, actor=member.user, from_status=PaperStatus.CHANGES_REQUESTED, to_status=PaperStatus.SUBMITTED
    )
    make_paper(member, "Still a draft", status=PaperStatus.DRAFT)
    question = Question.objects.create(text="What is the confluence?", is_public=True)
    Answer.objects.create(question=question, member=member, text="A meeting of two fields.", is_public=True)
    return revised


EXPECTED = {
    "submitted": (1, "admin:members_inputpaper_changelist", ["New submission"]),
    "revised": (1, "admin:members_inputpaper_changelist", ["Revised submission"]),
    "recent_public": (1, "admin:members_answer_changelist", ["A meeting of two fields."]),
    "extraction_failed": (1, "admin:depository_attachment_changelist", ["broken.pdf"]),
    "extraction_empty": (1, "admin:depository_attachment_changelist", ["scan.pdf"]),
    "old_draft": (1, "admin:depository_entry_changelist", ["Forgotten draft"]),
    "malformed_link": (1, "admin:depository_entry_changelist", ["Bad link"]),
    "no_theme": (1, "admin:depository_entry_changelist", ["Untagged practice"]),
}


def test_start_page_counts_what_waits_and_links_to_exactly_those_rows(organizer_client, waiting_work):
    html = organizer_client.get(INDEX).content.decode()
    assert "What waits for you" in html
    for key, (count, changelist, shown) in EXPECTED.items():
        got, link = waiting_row(html, key)
        assert got == count, key
        assert link == reverse(changelist) + f"?needs_attention={key}"
        listed = organizer_client.get(link)
        assert listed.status_code == 200
        page = listed.content.decode()
        assert "needs attention" in page.lower()
        for text in shown:
            assert text in page, (key, text)
        result = re.search(r"</h2>\s*(?:<ul>.*?</ul>)?\s*(\d+) ", page.split('class="paginator"', 1)[1], re.S)
        assert result and int(result.group(1)) == count, key


def test_nothing_waiting_shows_zero_without_links(organizer_client):
    html = organizer_client.get(INDEX).content.decode()
    for key in EXPECTED:
        assert waiting_row(html, key) == (0, None)


def test_start_page_costs_the_same_with_more_work_waiting(organizer_client, waiting_work, django_assert_num_queries):
    organizer_client.get(INDEX)  # warm the content-type cache
    # session, user, the user's own and group permissions (2), 4 counts (papers, answers, files,
    # entries), broken links (harvest.LinkCheck), recent changes
    with django_assert_num_queries(10):
        organizer_client.get(INDEX)
    for number in range(5):
        make_entry(f"More untagged {number}", themes=[])
    with django_assert_num_queries(10):
        response = organizer_client.get(INDEX)
    assert waiting_row(response.content.decode(), "no_theme")[0] == 6


def test_recent_changes_say_who_changed_what(organizer_client, organizer, superuser, waiting_work):
    entry = Entry.objects.get(title="Good link")
    LogEntry.objects.log_actions(
        user_id=superuser.pk, queryset=[entry], action_flag=CHANGE, change_message="Changed title."
    )
    html = organizer_client.get(INDEX).content.decode()
    recent = html.split('id="recent-actions-module"', 1)[1]
    assert "Good link" in recent
    assert "by root" in recent
    assert reverse("admin:depository_entry_change", args=[entry.pk]) in recent


def test_recent_changes_hide_objects_the_user_may_not_view(client, organizer, superuser, db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from people.models import Person

    person = Person.objects.create(name="Hidden Person", slug="hidden", disclosure="organizers")
    LogEntry.objects.log_actions(user_id=superuser.pk, queryset=[person], action_flag=CHANGE)
    clerk = get_user_model().objects.create_user("clerk", password="clerk-pass-12", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_entry"))
    client.force_login(clerk)
    html = client.get(INDEX).content.decode()
    assert "Hidden Person" not in html
    assert ContentType.objects.get_for_model(Person)  # the change is there, only not shown
    assert 'class="waiting-no_theme"' in html  # entries: may view
    assert 'class="waiting-submitted"' not in html  # papers: may not


def test_models_are_grouped_by_task_with_the_plumbing_folded_at_the_end(organizer_client):
    html = organizer_client.get(INDEX).content.decode()
    order = [
        m.start() for m in (re.search(rf'id="group-{key}"', html) for key in ("depository", "meetings", "members"))
    ]
    assert order == sorted(order)
    technical = html.split('<details class="technical-models">', 1)[1].split("</details>", 1)[0]
    assert "Participations" in technical
    assert "Tags" in technical
    depository = html.split('id="group-depository"', 1)[1].split("</table>", 1)[0]
    assert "Entries" in depository and "Participations" not in depository
    # Every admin URL still works: the groups only regroup the links.
    assert reverse("admin:taggit_tag_changelist") in technical
    assert organizer_client.get(reverse("admin:meetings_participation_changelist")).status_code == 200


def test_needs_attention_filter_ignores_unknown_values(organizer_client, waiting_work):
    response = organizer_client.get(reverse("admin:depository_entry_changelist"), {"needs_attention": "nonsense"})
    assert response.status_code == 200
    assert InputPaper.objects.count() == 3
