"""Issue 15: records that know the date, terms and countries in the visitor's language, city pages,
the map, the typology's example cities, robots.txt, the favicon and the sitemap."""

import datetime
import re

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.urls import reverse
from django.utils import timezone

from depository.models import CityType, Entry, GlossaryTerm, Theme
from meetings.models import Meeting, MeetingStanding, Milestone, Participation
from people.models import Organization, Person
from places.models import City
from places.projection import project

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2015, 6, 1)


@pytest.fixture
def today(monkeypatch):
    """Freeze the portal's idea of today (timezone.localdate) at TODAY; no clock, no sleep."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def get(client, url, language="en"):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# -- records that know the date ---------------------------------------------------------------------


def meeting(slug, status, start=None, end=None, timing_ends=None):
    return Meeting.objects.create(
        name=slug, slug=slug, status=status, start_date=start, end_date=end, timing_ends=timing_ends
    )


@pytest.mark.parametrize(
    ("status", "start", "timing_ends", "standing"),
    [
        ("held", datetime.date(2015, 3, 23), None, MeetingStanding.HELD),
        ("planned", datetime.date(2015, 3, 23), None, MeetingStanding.NO_RECORD),
        ("planned", datetime.date(2015, 6, 1), None, MeetingStanding.PLANNED),
        ("proposed", None, datetime.date(2015, 5, 31), MeetingStanding.NOT_TAKEN_UP),
        ("proposed", None, datetime.date(2015, 12, 21), MeetingStanding.PROPOSED),
        ("proposed", None, None, MeetingStanding.PROPOSED),
        ("cancelled", None, None, MeetingStanding.CANCELLED),
    ],
)
def test_standing_follows_the_date(status, start, timing_ends, standing):
    meeting("m", status, start=start, end=start, timing_ends=timing_ends)
    assert Meeting.objects.with_standing(TODAY).get().standing == standing


def test_timeline_on_a_frozen_day_moves_lapsed_items_to_the_past(client, today, django_assert_num_queries):
    meeting("spring", "planned", start=datetime.date(2015, 3, 23), end=datetime.date(2015, 3, 25))
    meeting("autumn", "proposed", timing_ends=datetime.date(2015, 12, 21))
    meeting("lapsed", "proposed", timing_ends=datetime.date(2015, 1, 31))
    with django_assert_num_queries(3):
        content = get(client, reverse("meetings:list"))
    upcoming, past = content.split('id="past"')
    assert "autumn" in upcoming and "Proposed<" in upcoming
    assert "spring" not in upcoming and "lapsed" not in upcoming
    assert "No record that it took place" in past and "Not taken up (no record)" in past


def test_meeting_page_shows_its_standing(client, today):
    meeting("spring", "planned", start=datetime.date(2015, 3, 23))
    content = get(client, reverse("meetings:detail", kwargs={"slug": "spring"}))
    assert "No record that it took place" in content
    assert ">Planned<" not in content


def test_workplan_shows_review_and_marks_overdue_only_tracked_items(client, today, django_assert_num_queries):
    due = datetime.date(2015, 3, 1)
    Milestone.objects.create(
        title="From the report",
        slug="report",
        due_date=due,
        status_reviewed_on=datetime.date(2014, 11, 6),
        status_reviewed_by="Inception meeting report",
    )
    Milestone.objects.create(title="Still tracked", slug="tracked", due_date=due, tracked=True)
    # the milestones, their review history, the reviews of progress
    with django_assert_num_queries(3):
        content = get(client, reverse("meetings:workplan"))
    assert "As of 6 November 2014 (by Inception meeting report)" in content
    assert "Never reviewed" in content
    assert content.count('<strong class="overdue">') == 1
    assert re.search(r"Still tracked.*?Overdue", content, re.S)


def test_admin_status_change_records_who_reviewed_it(organizer_client, organizer, today):
    milestone = Milestone.objects.create(title="Item", slug="item")
    data = {"title": "Item", "slug": "item", "status": "done", "position": 0, "due_note": ""}
    response = organizer_client.post(reverse("admin:meetings_milestone_change", args=[milestone.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    milestone.refresh_from_db()
    assert milestone.status_reviewed_on == TODAY
    assert milestone.status_reviewed_by == (organizer.get_full_name() or organizer.get_username())


# -- every term in the visitor's language -----------------------------------------------------------


def test_records_give_every_term_in_arabic(twg_records, client):
    for model in (Theme, CityType):
        assert not model.objects.filter(name_ar="").exists()
    content = get(client, reverse("depository:typology"), language="ar")
    for english in ("Primary crime prevention", "Small-scale violence", "Spontaneous violence"):
        assert english not in content


def test_glossary_is_alphabetical_in_the_visitors_language(client, db):
    GlossaryTerm.objects.create(term="Zeta", slug="zeta", term_es="Árbol", position=0)
    GlossaryTerm.objects.create(term="Alpha", slug="alpha", term_es="Zorro", position=1)
    GlossaryTerm.objects.create(term="Beta", slug="beta", term_es="Ñandú", position=2)
    english = get(client, reverse("depository:glossary"))
    assert english.index(">Alpha<") < english.index(">Beta<") < english.index(">Zeta<")
    spanish = get(client, reverse("depository:glossary"), language="es")
    # ICU's Spanish collation: Á with A, Ñ after N, before Z.
    assert spanish.index(">Árbol<") < spanish.index(">Ñandú<") < spanish.index(">Zorro<")


def test_country_names_follow_the_visitors_language(client, db):
    City.objects.create(name="Geneva", slug="geneva", country="Switzerland")
    assert "Switzerland" in get(client, reverse("places:city", kwargs={"slug": "geneva"}))
    assert "Suiza" in get(client, reverse("places:city", kwargs={"slug": "geneva"}), language="es")
    assert "Suisse" in get(client, reverse("places:city", kwargs={"slug": "geneva"}), language="fr")
    assert "سويسرا" in get(client, reverse("places:city", kwargs={"slug": "geneva"}), language="ar")


# -- city pages, index, map -------------------------------------------------------------------------


@pytest.fixture
def bogota(db):
    city = City.objects.create(name="Bogotá", slug="bogota", country="Colombia", latitude=4.60971, longitude=-74.08175)
    city.city_types.add(CityType.objects.create(name="Criminal violence setting", slug="criminal-violence"))
    entry = Entry.objects.create(
        title="Bogotá case", slug="bogota-case", kind="case_study", status="published", published_at=timezone.now()
    )
    entry.cities.add(city)
    entry.themes.add(Theme.objects.create(name="Participatory approaches", slug="participatory"))
    second = Entry.objects.create(
        title="Bogotá lesson", slug="bogota-lesson", kind="case_study", status="published", published_at=timezone.now()
    )
    second.cities.add(city)
    second.themes.add(Theme.objects.get(slug="participatory"))
    Entry.objects.create(title="Draft about Bogotá", slug="draft", kind="case_study", status="draft").cities.add(city)
    held = Meeting.objects.create(
        name="Meeting in Bogotá", slug="held-here", status="held", start_date=datetime.date(2015, 2, 1), city=city
    )
    organization = Organization.objects.create(name="Ideaborn Foundation", slug="ideaborn", city=city)
    for name, disclosure in (
        ("Public Person", "public"),
        ("Members Person", "members"),
        ("Hidden Person", "organizers"),
    ):
        person = Person.objects.create(name=name, slug=name.lower().replace(" ", "-"), disclosure=disclosure)
        Participation.objects.create(person=person, meeting=held, organization=organization)
    return city


def test_city_page_shows_what_the_records_hold(client, bogota, django_assert_num_queries):
    # city, its types, participants, entries, their themes, meetings held, meetings joined, organizations
    with django_assert_num_queries(8):
        content = get(client, reverse("places:city", kwargs={"slug": "bogota"}))
    assert "<h1>Bogotá</h1>" in content
    assert "Colombia" in content and "Criminal violence setting" in content
    assert "Bogotá case" in content and "Draft about Bogotá" not in content
    assert "Meeting in Bogotá" in content and "Held" in content
    assert "Ideaborn Foundation" in content
    assert "Public Person" in content
    assert "Members Person" not in content and "one participant from Ideaborn Foundation" in content
    assert "Hidden Person" not in content and content.count("one participant") == 1
    assert "Not recorded as one of the cluster" in content


def test_city_page_unknown_slug_is_404(client, db):
    assert client.get(reverse("places:city", kwargs={"slug": "atlantis"})).status_code == 404


def test_cities_index_groups_by_country_and_type(client, bogota, django_assert_num_queries):
    City.objects.create(name="Cambridge", slug="cambridge")
    with django_assert_num_queries(3):
        content = get(client, reverse("places:cities"))
    assert content.index("<h3>Colombia</h3>") < content.index("<h3>Country not known</h3>")
    assert "<h3>Criminal violence setting</h3>" in content and "<h3>Type not recorded</h3>" in content
    assert "2 entries" in content


def test_map_places_cities_by_their_coordinates_and_lists_them(client, bogota):
    City.objects.create(name="Cambridge", slug="cambridge")
    content = get(client, reverse("places:map"))
    x, y = project(-74.08175, 4.60971)
    assert f'cx="{x:.1f}" cy="{y:.1f}"' in content
    assert f'cx="{x:.1f}" cy="{y:.1f}"' in get(client, reverse("places:map"), language="ar")  # not "105,8"
    assert 'href="/cities/bogota/"' in content
    assert "Cities whose location is not known" in content and "Cambridge" in content
    # The first-visit budget: the page's HTML, stylesheets and scripts (the land map is a separate cached file).
    assets = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"|<script src="/static/([^"]+)"', content)
    # Served as collected (make test runs collectstatic first), under their hashed names.
    sizes = [staticfiles_storage.size(name) for pair in assets for name in pair if name]
    assert sizes and len(content.encode()) + sum(sizes) < 60_000
    assert "https://" not in re.sub(r'<a [^>]*href="https://[^"]*"', "", content.split("<footer")[0])


def test_projection_corners_and_bad_input():
    assert project(-180, 90) == (0, 0)
    assert project(180, -90) == (720, 360)
    with pytest.raises(ValueError):
        project(0, 91)


def test_records_place_the_reports_cities_from_geonames(twg_records):
    geneva = City.objects.get(slug="geneva")
    assert round(float(geneva.latitude), 2) == 46.20 and "GeoNames 2660646" in geneva.coordinates_source
    assert City.objects.get(slug="cambridge").latitude is None  # the reports leave it ambiguous
    groups = {c.slug: c.typology_example_group for c in City.objects.filter(typology_example_group__isnull=False)}
    assert groups == {"juba": 1, "mogadishu": 1, "timbuktu": 1, "raqqa": 2, "bogota": 2, "los-angeles": 2}


def test_typology_shows_the_example_cities_as_the_report_groups_them(client, twg_records):
    content = get(client, reverse("depository:typology"))
    assert re.search(
        r"Juba</a>.*Mogadishu</a>.*Timbuktu</a>.*versus.*Bogotá</a>.*Los Angeles</a>.*Raqqa</a>", content, re.S
    )
    assert "none recorded yet" not in content


# -- small things -----------------------------------------------------------------------------------


def test_robots_txt_links_the_sitemap_and_keeps_private_pages_out(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    for path in ("/admin/", "/members/", "/depository/pack.zip", ".ics$"):
        assert f"Disallow: {path}" in text or path in text


def test_favicon_everywhere(client, organizer_client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")
    admin_page = organizer_client.get(reverse("admin:index")).content.decode()
    assert re.search(r'<link rel="icon" href="/static/img/favicon[^"]*\.svg"', admin_page)


def test_sitemap_lists_meetings_cities_organizations_and_the_workplan(client, twg_records):
    content = get(client, "/sitemap.xml")
    for path in ("/meetings/workplan/", "/meetings/second-meeting-2015/", "/cities/bogota/", "/cities/map/"):
        assert f"http://testserver{path}" in content
    assert "/meetings/organizations/unog/" in content


def test_htmx_indicator_style_is_off(client, db):
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in get(client, "/")


# -- the TWG's own documents ------------------------------------------------------------------------


def test_meeting_reports_are_attached_searchable_and_downloadable(client, twg_records, settings, tmp_path):
    from depository.models import Attachment
    from depository.tasks import extract_attachment_text

    reports = Attachment.objects.filter(entry__slug__in=["inception-meeting-report-2014", "second-meeting-report-2015"])
    assert sorted(a.original_name for a in reports) == [
        "inception-meeting-report-2014.txt",
        "second-meeting-report-2015.txt",
    ]
    second = reports.get(original_name="second-meeting-report-2015.txt")
    assert second.content_type.startswith("text/plain") and second.is_public
    # The background worker's task, run here as the worker would.
    assert extract_attachment_text.call(second.pk) == "done"
    # "dynamism" is in the published report only, not in any record's own text.
    content = get(client, reverse("depository:browse") + "?q=dynamism")
    assert "Report of the 2nd meeting" in content
    page = get(client, reverse("meetings:detail", kwargs={"slug": "second-meeting-2015"}))
    url = reverse("depository:attachment", kwargs={"slug": "second-meeting-report-2015", "pk": second.pk})
    assert url in page
    response = client.get(url)
    with open(settings.BASE_DIR / "portal/records/documents/second-meeting-report-2015.txt", "rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()


def test_loading_twice_attaches_each_report_once(twg_records):
    from depository.models import Attachment
    from portal.records import load_records

    before = Attachment.objects.count()
    load_records()
    assert Attachment.objects.count() == before == 2


# -- events and courses -----------------------------------------------------------------------------


def test_events_from_the_reports_join_the_timeline(client, twg_records, django_assert_num_queries):
    with django_assert_num_queries(3):
        content = get(client, reverse("meetings:list"))
    past = content.split('id="past"')[1]
    assert "Side event at the second meeting of the Preparatory Committee for HABITAT III" in past
    assert "Bogota meeting of initiatives" in past and "No record that it took place" in past
    upcoming = content.split('id="past"')[0]
    # The course's feasibility was to be explored, with no date: nothing says it lapsed.
    assert "Executive course for city leaders" in upcoming


def test_event_page_states_only_what_is_known(client, twg_records):
    content = get(client, reverse("meetings:event", kwargs={"slug": "habitat-iii-prepcom2-side-event"}))
    assert "April 2015" in content and "Not taken up (no record)" in content
    assert content.count("Not known") == 3  # place, organizers, audience
    assert ".ics" not in content  # no dates, no calendar file
    assert client.get("/meetings/events/habitat-iii-prepcom2-side-event.ics").status_code == 404
    course = get(client, reverse("meetings:event", kwargs={"slug": "executive-course-for-city-leaders"}), "fr")
    assert "Suisse" in course  # the country in the visitor's language
    assert "Graduate Institute" in course
    assert 'action="/meetings/events/executive-course-for-city-leaders/interest/"' not in course  # not a member


def test_dated_event_has_an_ics_file(client, db):
    from icalendar import Calendar

    from meetings.models import Event

    Event.objects.create(
        name="Course", slug="course", kind="course", status="planned", start_date=datetime.date(2027, 3, 1)
    )
    response = client.get("/meetings/events/course.ics")
    assert response.status_code == 200
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Course" and event["DTSTART"].dt == datetime.date(2027, 3, 1)
    assert str(event["UID"]).startswith("event-")


def test_members_register_interest_others_are_sent_to_log_in(member_client, member, twg_records):
    from django.test import Client

    from meetings.models import Event

    url = reverse("meetings:event_interest", kwargs={"slug": "executive-course-for-city-leaders"})
    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and "/members/login/" in anonymous["Location"]
    assert Client().get(url).status_code == 405
    response = member_client.post(url, follow=True)
    assert "Your interest is registered" in response.content.decode()
    event = Event.objects.get(slug="executive-course-for-city-leaders")
    assert list(event.interested.all()) == [member.user]
    member_client.post(url, {"withdraw": "1"})
    assert not event.interested.exists()
