"""The work plan over time (issue 24, part 3): milestones grouped by evidence-gathering step on a timeline of
planned against actual dates, progress reviews recorded in the admin and applied by a service, each
milestone's history, and the reviews' participants as their disclosure allows."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from meetings import workplan as plan
from meetings.models import EvidenceStep, Milestone, MilestoneChange, MilestoneStanding, ProgressReview
from meetings.services.reviews import apply_review
from people.models import Disclosure, Person
from tests.members_helpers import client_for

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


def milestone(slug, **fields):
    return Milestone.objects.create(title=slug.replace("-", " ").capitalize(), slug=slug, **fields)


def review(held_on, changes, people=()):
    made = ProgressReview.objects.create(held_on=held_on, summary="Stock-taking call")
    made.participants.set(people)
    for item, fields in changes:
        MilestoneChange.objects.create(review=made, milestone=item, **fields)
    return made


# -- the service ------------------------------------------------------------------------------------


def test_a_review_applies_its_changes_and_tracks_the_milestones(today):
    item = milestone("literature", due_date=datetime.date(2015, 3, 23), evidence_step=2)
    held = datetime.date(2015, 4, 1)
    made = review(held, [(item, {"status": "in_progress", "due_date": datetime.date(2015, 9, 1), "started_on": held})])
    assert [m.pk for m in apply_review(review=made)] == [item.pk]
    item.refresh_from_db()
    assert (item.status, item.due_date, item.started_on) == ("in_progress", datetime.date(2015, 9, 1), held)
    assert item.tracked and item.status_reviewed_on == held
    assert item.status_reviewed_by == "Progress review of 2015-04-01"
    change = made.changes.get()
    assert (change.previous_status, change.previous_due_date) == ("planned", datetime.date(2015, 3, 23))
    apply_review(review=made)  # again: nothing more changes, what it replaced is kept
    change.refresh_from_db()
    assert change.previous_due_date == datetime.date(2015, 3, 23)


def test_an_older_review_saved_again_does_not_undo_a_newer_one():
    item = milestone("depository")
    newer = review(datetime.date(2016, 1, 10), [(item, {"status": "done", "completed_on": datetime.date(2016, 1, 5)})])
    older = review(datetime.date(2015, 6, 1), [(item, {"status": "in_progress"})])
    apply_review(review=newer)
    assert apply_review(review=older) == []
    item.refresh_from_db()
    assert item.status == "done" and item.status_reviewed_on == datetime.date(2016, 1, 10)


def test_a_change_that_would_end_before_it_starts_is_refused():
    item = milestone("scenarios", start_date=datetime.date(2015, 5, 1))
    made = ProgressReview.objects.create(held_on=datetime.date(2015, 6, 1))
    change = MilestoneChange(review=made, milestone=item, due_date=datetime.date(2015, 4, 1))
    with pytest.raises(Exception, match="due date comes before"):
        change.full_clean()


# -- the admin --------------------------------------------------------------------------------------


def test_an_organizer_records_a_review_in_the_admin_and_the_milestone_follows(organizer_client):
    item = milestone("confluence", due_date=datetime.date(2015, 3, 23), evidence_step=1)
    person = Person.objects.create(name="Juma Assiago", slug="juma")
    response = organizer_client.post(
        reverse("admin:meetings_progressreview_add"),
        {
            "held_on": "2015-04-02",
            "summary": "First review",
            "participants": [person.pk],
            "changes-TOTAL_FORMS": "1",
            "changes-INITIAL_FORMS": "0",
            "changes-0-milestone": item.pk,
            "changes-0-status": "done",
            "changes-0-completed_on": "2015-03-25",
            "changes-0-note": "Synthesis presented in Corregidora",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert item.status == "done" and item.completed_on == datetime.date(2015, 3, 25) and item.tracked


# -- the page ---------------------------------------------------------------------------------------


def test_the_work_plan_groups_by_step_and_draws_planned_against_actual(client, today):
    late = milestone("late-one", due_date=today - 10 * DAY, tracked=True, evidence_step=1)
    milestone("untracked", due_date=datetime.date(2015, 3, 1), evidence_step=1)
    milestone(
        "under-way",
        start_date=today - 30 * DAY,
        due_date=today + 30 * DAY,
        started_on=today - 20 * DAY,
        evidence_step=2,
    )
    milestone("finished", due_date=today - 5 * DAY, status="done", completed_on=today - 6 * DAY)
    review(today - 3 * DAY, [(late, {"note": "Waiting for the synthesis"})])
    review(today - 2 * DAY, [(late, {"status": "in_progress", "note": "Drafting"})])

    response = client.get(reverse("meetings:workplan"))
    content = response.content.decode()
    standings = {m.slug: m.standing for m in response.context["milestones"]}
    assert standings == {
        "untracked": MilestoneStanding.NO_RECORD,
        "finished": MilestoneStanding.DONE,
        "late-one": MilestoneStanding.LATE,
        "under-way": MilestoneStanding.IN_PROGRESS,
    }
    headings = re.findall(r'<h2 id="plan-group-\d">(.*?)</h2>', content)
    assert headings == [str(EvidenceStep(1).label), str(EvidenceStep(2).label), "Other milestones of the work plan"]
    # The drawing is for the eye; the table with its caption and header cells says the same.
    assert content.count('<div class="plan-chart" aria-hidden="true">') == 3
    assert content.count("<caption") == 3 and '<th scope="row">Late one' in content
    assert content.count('class="plan-chart__planned"') == 1  # only "under way" has a planned start
    assert content.count('class="plan-chart__actual"') == 1  # under way, drawn to today
    assert content.count('class="plan-chart__completed"') == 1
    # History, newest first, with the review's date.
    history = re.search(r"History \(2 changes\)</summary>(.*?)</details>", content, re.S).group(1)
    assert history.index("Drafting") < history.index("Waiting for the synthesis")
    assert (today - 2 * DAY).strftime("%Y-%m-%d") in history


def test_the_timeline_runs_right_to_left_in_arabic_and_is_never_localized(today):
    item = Milestone(slug="x", title="X", due_date=datetime.date(2015, 7, 2), start_date=datetime.date(2015, 1, 1))
    item.standing = "planned"
    groups = [plan.Group(key=1, label="One", rows=[item])]
    with translation.override("fr"):
        chart = plan.timeline(groups, today=datetime.date(2016, 12, 31), rtl=False)
        left = item.bars["planned"]["x"]
        plan.timeline(groups, today=datetime.date(2016, 12, 31), rtl=True)
        right = item.bars["planned"]["x"]
    assert left == "0.00%" and "," not in right
    assert float(right.rstrip("%")) > 50  # 2015 sits on the right in Arabic
    assert [tick["label"] for tick in chart["ticks"]] == ["2015", "2016", ""]  # the last line closes 2016


def test_a_grouping_by_a_list_attribute_puts_a_milestone_in_each_group():
    one, two = Milestone(slug="a", title="A"), Milestone(slug="b", title="B")
    one.sub_groups, two.sub_groups = ["Finance", "Training"], []
    grouping = plan.Grouping(name="sub", label="By sub-group", attribute="sub_groups")
    groups = plan.group_milestones([one, two], grouping)
    assert [(g.label, [m.slug for m in g.rows]) for g in groups] == [
        ("Finance", ["a"]),
        ("Training", ["a"]),
        ("Other milestones", ["b"]),
    ]


@pytest.fixture
def reviewers():
    return [
        Person.objects.create(name="Pia Public", slug="pia"),
        Person.objects.create(name="Mo Membersonly", slug="mo", disclosure=Disclosure.MEMBERS),
        Person.objects.create(name="Oz Organizersonly", slug="oz", disclosure=Disclosure.ORGANIZERS),
    ]


def test_who_took_part_in_a_review_is_shown_as_their_disclosure_allows(reviewers, member, organizer):
    review(datetime.date(2015, 4, 2), [], people=reviewers)
    url = reverse("meetings:workplan")
    visitor = Client().get(url).content.decode()
    assert "Pia Public" in visitor and "Mo Membersonly" not in visitor and "Oz Organizersonly" not in visitor
    assert visitor.count("one participant") == 2
    members_page = client_for(member.user).get(url).content.decode()
    assert "Mo Membersonly" in members_page and "Oz Organizersonly" not in members_page
    assert "Oz Organizersonly" in client_for(organizer).get(url).content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_the_work_plan_costs_the_same_for_one_milestone_or_three(client, reviewers, count, django_assert_num_queries):
    for number in range(count):
        item = milestone(f"item-{number}", due_date=datetime.date(2015, 3, 1), evidence_step=number + 1)
        review(datetime.date(2015, 4, 1 + number), [(item, {"status": "in_progress"})], people=reviewers)
    # 1 milestones with organization and meeting, 2 their changes with the reviews, 3 the reviews,
    # 4 the reviews' participants
    with django_assert_num_queries(4):
        response = client.get(reverse("meetings:workplan"))
    assert response.status_code == 200


def test_only_the_groupings_whose_data_exists_are_offered():
    """By sub-group appears once an app above declares sub-groups linked to milestones (related name
    `subgroups`); on a database without them the page offers the steps only."""
    related = {relation.name for relation in Milestone._meta.related_objects}
    expected = {"step", "subgroup"} if "subgroups" in related else {"step"}
    assert set(plan.available_groupings()) == expected


def test_by_sub_group_once_sub_groups_link_milestones(client):
    """Runs where the sub-groups of issue 24 (network.SubGroup.milestones) exist; skipped before."""
    network_models = pytest.importorskip("network.models")
    item = milestone("literature", due_date=datetime.date(2015, 3, 1), evidence_step=2)
    milestone("lonely", due_date=datetime.date(2015, 3, 1))
    group = network_models.SubGroup.objects.create(name="Youth", slug="youth", purpose="Youth violence.")
    group.milestones.add(item)
    content = client.get(reverse("meetings:workplan") + "?by=subgroup").content.decode()
    headings = re.findall(r'<h2 id="plan-group-\d">(.*?)</h2>', content)
    assert headings == ["Youth", "Milestones of no sub-group"]
    assert "By evidence-gathering step</a>" in content
