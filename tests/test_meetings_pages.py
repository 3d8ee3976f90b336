"""The public meeting pages: timeline, a meeting's page, the work plan, the network pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from depository.models import Attachment, Entry
from meetings.models import Meeting, Milestone, Participation, ProgrammeSession, SessionContribution
from members.models import InputPaper
from people.models import Organization, Person
from places.models import City

pytestmark = pytest.mark.django_db


def page(client, name, **kwargs):
    response = client.get(reverse(f"meetings:{name}", kwargs=kwargs or None))
    assert response.status_code == 200
    return response, response.content.decode()


# -- the timeline -----------------------------------------------------------------------------------


def test_timeline_splits_upcoming_from_past_by_what_the_records_say(client, twg_records):
    response, content = page(client, "list")
    upcoming = [meeting.slug for meeting in response.context["upcoming"]]
    past = [meeting.slug for meeting in response.context["past"]]
    assert upcoming == ["executive-course-for-city-leaders"]  # undated: nothing says it lapsed
    assert past == [
        "beirut-meeting-proposal-2015",
        "second-meeting-2015",
        "habitat-iii-prepcom2-side-event",
        "corregidora-meeting-2015",
        "bogota-meeting-of-mayors-2015",
        "inception-meeting-2014",
    ]
    assert 'status--not_taken_up">Not taken up (no record)<' in content
    assert 'status--no_record">No record that it took place<' in content
    assert "Planned<" not in content
    assert '>5 November 2014</time> – <time datetime="2014-11-06">6 November 2014<' in content
    assert "Autumn 2015" in content
    assert "Beirut, Lebanon" in content


def test_a_future_meeting_is_upcoming(client, db):
    soon = timezone.localdate() + datetime.timedelta(days=30)
    Meeting.objects.create(name="Next meeting", slug="next", status="planned", start_date=soon)
    response, _ = page(client, "list")
    assert [meeting.slug for meeting in response.context["upcoming"]] == ["next"]


def test_timeline_query_count_does_not_grow(client, db, django_assert_num_queries):
    city = City.objects.create(name="Geneva", slug="geneva")
    Meeting.objects.create(name="One", slug="one", status="held", start_date=datetime.date(2014, 1, 1), city=city)
    # 1 upcoming meetings with their city, 1 past meetings with their city, 1 events with their city
    with django_assert_num_queries(3):
        page(client, "list")
    for number in range(5):
        Meeting.objects.create(
            name=f"M{number}", slug=f"m{number}", status="held", start_date=datetime.date(2015, 1, 1), city=city
        )
    with django_assert_num_queries(3):
        page(client, "list")


# -- a meeting's page -------------------------------------------------------------------------------


def names_in(shown_people):
    return [shown.name for shown in shown_people]


def test_inception_meeting_page_lists_its_21_participants_grouped_by_organization(client, twg_records):
    inception = Meeting.objects.get(slug="inception-meeting-2014")
    response, content = page(client, "detail", slug=inception.slug)
    assert "Participants (21)" in content
    listed = [shown.name for group in response.context["participant_groups"] for shown in group["people"]]
    assert len(listed) == 21
    assert sorted(listed) == sorted(inception.participations.values_list("person__name", flat=True))
    corregidora = next(
        group
        for group in response.context["participant_groups"]
        if group["organization"].slug == "municipality-of-corregidora"
    )
    assert names_in(corregidora["people"]) == [
        "Lorena Alvaeado Palomera",
        "Rosa Margarita De Alba Gonzalez",
        "Maria de la Paloma Posada Lombana",
        "Luis Antonio Zapata Guerrero",
    ]
    assert 'Stavroz Stravou</span>, <span class="person-title">Senior Development Specialist' in content
    assert "Room IX, United Nations Office at Geneva, Geneva, Switzerland" in content
    assert "@" not in content.split('id="participants"')[1].split("</section>")[0]  # no contact details


def test_inception_programme_has_the_right_presenters_and_facilitators(client, twg_records):
    response, content = page(client, "detail", slug="inception-meeting-2014")
    days = response.context["days"]
    assert [day["date"] for day in days] == [datetime.date(2014, 11, 5), datetime.date(2014, 11, 6)]
    sessions = {row["session"].title: row for day in days for row in day["sessions"]}
    overlap = sessions[
        "Discussion of existing knowledge on the overlap and difference with respect to urban safety and "
        "peacebuilding approaches"
    ]
    assert names_in(overlap["presenters"]) == ["Anna Alvazzi del Frate", "Luis Antonio Zapata Guerrero"]
    assert [shown.title for shown in overlap["presenters"]] == ["Research Director", "Mayor"]
    assert names_in(overlap["facilitators"]) == ["Achim Wennmann"]
    methodology = sessions["Methodology: Approaches, case studies, studies on tools, selection criteria"]
    assert names_in(methodology["presenters"]) == ["Oliver Jütersonke", "Sara Sekkenes"]
    work_plan = sessions["Drawing together key elements for the work plan"]
    assert names_in(work_plan["presenters"]) == ["Sven Gusmann"]
    assert names_in(response.context["rapporteurs"]) == ["Sven Gusmann"]
    assert "14:00–15:00" in content and "09:00–12:30" in content
    assert "Kick-off presenters" in content and "Facilitator" in content


def test_second_meeting_shows_no_venue(client, twg_records):
    response, content = page(client, "detail", slug="second-meeting-2015")
    place = content.split('class="meeting-place">')[1].split("</dd>")[0]
    assert place == "Not known"
    assert "Participants (20)" in content
    assert "2nd Steering Committee Meeting of the Global Network on Safer Cities (GNSC)" in content
    assert "Durban" in content  # other cities represented


def test_meeting_page_documents_and_related_entries(client, twg_records, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    inception = Meeting.objects.get(slug="inception-meeting-2014")
    report = inception.report
    Attachment.objects.create(entry=report, file=ContentFile(b"%PDF-1.4", name="r.pdf"), original_name="report.pdf")
    Attachment.objects.create(
        entry=report, file=ContentFile(b"x", name="n.txt"), original_name="internal-notes.txt", is_public=False
    )
    draft = Entry.objects.create(kind="tool", title="Unpublished toolkit", slug="unpublished-toolkit")
    inception.related_entries.add(draft)
    _, content = page(client, "detail", slug=inception.slug)
    assert f'href="{report.get_absolute_url()}"' in content
    assert "report.pdf" in content
    assert "internal-notes.txt" not in content
    assert "Unpublished toolkit" not in content
    assert "Concept note of the Technical Working Group" in content

    report.status = "draft"
    report.save()
    _, content = page(client, "detail", slug=inception.slug)
    assert report.title not in content
    assert "report.pdf" not in content


def test_meeting_page_lists_proposed_input_papers_but_not_drafts(client, twg_records):
    inception = Meeting.objects.get(slug="inception-meeting-2014")
    InputPaper.objects.create(title="A private draft", slug="private-draft", proposed_at=inception, status="draft")
    _, content = page(client, "detail", slug=inception.slug)
    assert "Urban safety and conflict prevention" in content
    assert "David Connolly" in content.split("Input papers")[1]
    assert "A private draft" not in content


def make_meeting_with(participants):
    meeting = Meeting.objects.create(
        name="Counted", slug="counted", status="held", start_date=datetime.date(2016, 1, 1)
    )
    city = City.objects.create(name="Quito", slug="quito")
    organization = Organization.objects.create(name="Org", slug="org", city=city)
    for number in range(participants):
        person = Person.objects.create(name=f"Person {number}", slug=f"person-{number}")
        Participation.objects.create(meeting=meeting, person=person, organization=organization, position=number)
        session = ProgrammeSession.objects.create(meeting=meeting, title=f"Session {number}", date=meeting.start_date)
        SessionContribution.objects.create(session=session, person=person, role="kickoff_presenter")
        paper = InputPaper.objects.create(
            title=f"Paper {number}", slug=f"paper-{number}", proposed_at=meeting, status="proposed"
        )
        paper.authors.add(person)
        Milestone.objects.create(title=f"Milestone {number}", slug=f"milestone-{number}", meeting=meeting)
    return meeting


@pytest.mark.parametrize("participants", [1, 4])
def test_meeting_page_query_count_is_fixed(client, db, django_assert_num_queries, participants):
    meeting = make_meeting_with(participants)
    # 1 meeting with city and report, 1 hosts, 1 other cities, 1 sessions, 1 their contributions with
    # person and organization, 1 participations with person and organization, 1 published related entries,
    # 1 input papers with their entry, 1 their authors, 1 milestones
    with django_assert_num_queries(10):
        response, content = page(client, "detail", slug=meeting.slug)
    assert f"Participant{'s' if participants > 1 else ''} ({participants})" in content
    assert len(response.context["papers"]) == participants


# -- the work plan ----------------------------------------------------------------------------------


def test_workplan_in_date_order_with_overdue_marked(client, db, django_assert_num_queries):
    today = timezone.localdate()
    organization = Organization.objects.create(name="World Vision", slug="world-vision")
    Milestone.objects.create(title="Later", slug="later", due_date=today + datetime.timedelta(days=9))
    Milestone.objects.create(
        title="Late one",
        slug="late",
        due_date=today - datetime.timedelta(days=1),
        responsible_organization=organization,
        tracked=True,
    )
    Milestone.objects.create(title="Finished", slug="done", due_date=today - datetime.timedelta(days=5), status="done")
    Milestone.objects.create(title="Undated", slug="undated", due_note="Autumn 2015")
    # 1 milestones with their organization and meeting, 2 their review history, 3 the reviews of progress
    with django_assert_num_queries(3):
        response, content = page(client, "workplan")
    rows = list(response.context["milestones"])
    assert [m.title for m in rows] == ["Finished", "Late one", "Later", "Undated"]
    assert [m.is_overdue for m in rows] == [False, True, False, False]
    assert content.count("Overdue</strong>") == 1
    assert "World Vision" in content and "Autumn 2015" in content


def test_workplan_shows_the_real_milestones(client, twg_records):
    _, content = page(client, "workplan")
    assert "Annotated literature review" in content
    assert "First TWG meeting in Corregidora, Mexico" in content
    # Statuses as the inception report left them, dated; nobody tracks them, so nothing is overdue.
    assert "Overdue" not in content
    assert "As of 6 November 2014 (by Inception meeting report)" in content


# -- the network ------------------------------------------------------------------------------------


def test_network_matrix_of_organizations_and_cities(client, twg_records):
    response, content = page(client, "organizations")
    rows = {row["organization"].slug: row for row in response.context["rows"]}
    meetings = [meeting.slug for meeting in response.context["meetings"]]
    giz = [cell["count"] for cell in rows["giz"]["cells"]]
    assert giz[meetings.index("second-meeting-2015")] == 3
    assert giz[meetings.index("inception-meeting-2014")] == 0
    gpp = rows["gpp"]["cells"][meetings.index("inception-meeting-2014")]
    assert gpp["host"] and gpp["count"] == 1
    cities = {row["city"].slug: row["cells"] for row in response.context["city_rows"]}
    assert cities["durban"][meetings.index("second-meeting-2015")] is True
    assert "<svg" not in content and "3 participants" in content


@pytest.mark.parametrize("participants", [1, 4])
def test_network_pages_query_count_is_fixed(client, db, django_assert_num_queries, participants):
    make_meeting_with(participants)
    # 1 meetings, 1 counts per organization and meeting, 1 hosts, 1 organizations with city,
    # 1 other cities represented, 1 cities
    with django_assert_num_queries(6):
        page(client, "organizations")
    # 1 organization with city, 1 participations with person and meeting, 1 contributions with session
    # and meeting, 1 hosted meetings, 1 milestones
    with django_assert_num_queries(5):
        _, content = page(client, "organization", slug="org")
    assert content.count("Person ") >= participants


def test_organization_page(client, twg_records):
    response, content = page(client, "organization", slug="giz")
    assert [item["meeting"].slug for item in response.context["attended"]] == ["second-meeting-2015"]
    assert "Anja Heuft" in content and "Elis Schmeer" in content and "Johanna Sztucki" in content


def test_unknown_meeting_and_organization_are_404(client, db):
    assert client.get(reverse("meetings:detail", kwargs={"slug": "nope"})).status_code == 404
    assert client.get(reverse("meetings:organization", kwargs={"slug": "nope"})).status_code == 404


def test_key_points_are_escaped_and_dashes_become_a_list(client, db):
    Meeting.objects.create(
        name="Listed",
        slug="listed",
        status="held",
        start_date=datetime.date(2016, 1, 1),
        key_points="Commonalities:\n- One <b>point</b>\n- Two & more\nClosing words.",
    )
    _, content = page(client, "detail", slug="listed")
    assert (
        "<p>Commonalities:</p>\n<ul><li>One &lt;b&gt;point&lt;/b&gt;</li><li>Two &amp; more</li></ul>\n"
        "<p>Closing words.</p>"
    ) in content


def test_a_meeting_cannot_take_the_address_of_another_page(db):
    meeting = Meeting(name="Work plan", slug="workplan", status="proposed")
    with pytest.raises(ValidationError, match="address of another page"):
        meeting.full_clean()
