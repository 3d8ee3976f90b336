"""Issue 24, parts 3 and 4, in a real browser: a member registers for a meeting and asks for travel support;
an organizer accepts it and approves the support with an amount in the admin, then records a progress
review; the work plan shows the timeline with planned against actual dates. At 1280 and 375 px, in English
and Arabic (right to left): axe-core clean, no sideways scrolling."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from core.roles import sync_organizers_group
from meetings.models import Meeting, Milestone
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_low_bandwidth import PAGE_WEIGHT_BUDGET
from tests.conftest import make_member

pytestmark = pytest.mark.browser

ORGANIZER_PASSWORD = "organizer-pass-1"
NEEDS = "Vegetarian meals; step-free access"
WHY = "My municipality has no travel budget this year."


def log_in(page, username, password):
    page.goto("/members/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/members/")


def admin_log_in(page, username, password):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()


def choose_in_inline_autocomplete(page, row, field, text):
    """Pick a value in an inline row's autocomplete (select2) widget, as a person would."""
    page.locator(f"#{row} .field-{field} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-container--open .select2-results__option").filter(has_text=text).first.click()
    expect(page.locator(f"#{row} .field-{field} .select2-selection__rendered")).to_contain_text(text)


def fits_and_passes_axe(page, viewport, axe):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (page.url, viewport)
    axe.check(page)


@pytest.fixture
def third_meeting(records_to_change):
    today = timezone.localdate()
    return Meeting.objects.create(
        name="Third TWG meeting",
        slug="third-twg-meeting",
        status="planned",
        start_date=today + datetime.timedelta(days=60),
        registration_opens=today - datetime.timedelta(days=1),
        registration_closes=today + datetime.timedelta(days=20),
    )


@pytest.fixture
def olga(records_to_change):
    user = get_user_model().objects.create_user(
        "olga", email="olga@example.org", password=ORGANIZER_PASSWORD, is_staff=True
    )
    user.groups.add(sync_organizers_group())
    return user


def test_registration_support_decision_and_review_reach_the_work_plan(third_meeting, olga, new_page, axe):
    make_member("amina", "Amina Diallo")
    today = timezone.localdate()

    # The member, on a phone: the meeting's page with the form, in Arabic and in English; registers.
    member = new_page(viewport=PHONE)
    log_in(member, "amina", "member-pass-1")
    member.goto(f"/ar{third_meeting.get_absolute_url()}")
    expect(member.locator("html")).to_have_attribute("dir", "rtl")
    expect(member.locator("section.registration")).to_be_visible()
    fits_and_passes_axe(member, PHONE, axe)
    member.goto(third_meeting.get_absolute_url())
    member.get_by_label("Dietary and access needs").fill(NEEDS)
    member.get_by_label("I ask for travel support").check()
    member.get_by_label("Why you need travel support").fill(WHY)
    member.get_by_role("button", name="Register", exact=True).click()
    expect(member.locator(".messages")).to_contain_text("You are registered")
    expect(member.locator("section.registration")).to_contain_text("Requested, awaiting a decision")
    fits_and_passes_axe(member, PHONE, axe)

    # The organizer, on a desktop: accepts, approves the support with an amount.
    admin = new_page()
    admin_log_in(admin, "olga", ORGANIZER_PASSWORD)
    admin.goto("/admin/meetings/registration/")
    admin.get_by_role("link", name=re.compile("Amina Diallo")).click()
    expect(admin.locator(".field-support_justification")).to_contain_text(WHY)
    admin.locator("#id_status").select_option("accepted")
    admin.locator("#id_support_status").select_option("approved")
    admin.locator("#id_support_amount").fill("850")
    admin.locator("#id_support_currency").fill("CHF")
    admin.locator("#id_support_note").fill("Economy fare from Beirut")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text("was changed successfully")

    # ... then records a progress review: the literature review started, its due date moved.
    admin.goto("/admin/meetings/progressreview/add/")
    admin.locator("#id_held_on").fill(today.isoformat())
    admin.locator("#id_summary").fill("Quarterly stock-taking with the members")
    choose_in_inline_autocomplete(admin, "changes-0", "milestone", "Annotated literature review")
    admin.locator("#id_changes-0-status").select_option("in_progress")
    admin.locator("#id_changes-0-started_on").fill("2015-05-04")
    admin.locator("#id_changes-0-due_date").fill((today + datetime.timedelta(days=90)).isoformat())
    admin.locator("#id_changes-0-note").fill("Twelve pieces annotated so far")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text("1 milestone updated from this review.")

    # The member reads the decision on the meeting's page and on their dashboard.
    member.goto(third_meeting.get_absolute_url())
    expect(member.locator("section.registration")).to_contain_text("850.00 CHF")
    expect(member.locator("section.registration")).to_contain_text("Economy fare from Beirut")
    member.goto("/members/")
    expect(member.locator("main")).to_contain_text("Third TWG meeting")
    fits_and_passes_axe(member, PHONE, axe)

    # Anybody: the work plan with the timeline, planned against actual, in both languages and widths.
    reviewed = Milestone.objects.get(slug="annotated-literature-review")
    assert reviewed.started_on == datetime.date(2015, 5, 4) and reviewed.tracked
    for viewport in (DESKTOP, PHONE):
        for prefix in ("", "/ar"):
            page = new_page(viewport=viewport)
            page.goto(f"{prefix}/meetings/workplan/")
            expect(page.locator("table.workplan caption").first).to_be_visible()
            expect(page.locator(".plan-chart__actual")).to_have_count(1)  # the reviewed one, drawn to today
            expect(page.locator(".plan-chart__due").first).to_be_attached()
            row = page.locator("tr", has_text="Annotated literature review")
            expect(row.locator(".status--in_progress")).to_have_count(1)
            # the history's summary in the page's language (locale/ar: the one-change form)
            expect(row.locator("summary")).to_contain_text("(تغيير واحد: 1)" if prefix else "(1 change)")
            row.locator("summary").click()
            expect(row.locator(".plan-history__list")).to_contain_text("Twelve pieces annotated so far")
            expect(page.locator("section[aria-labelledby=reviews]")).to_contain_text("Quarterly stock-taking")
            due_x = float(page.locator(".plan-chart__due").first.get_attribute("cx").rstrip("%"))
            # 2015 sits near the start of time: the left in English, the right in Arabic.
            assert (due_x > 50) if prefix else (due_x < 50), (prefix, due_x)
            fits_and_passes_axe(page, viewport, axe)


def test_the_work_plan_with_its_timeline_stays_within_the_page_weight_budget(records, page):
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto("/meetings/workplan/")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".plan-chart").first).to_be_attached()
    sizes = {}
    for request in responses:
        measured = request.sizes()
        sizes[request.url] = measured["responseBodySize"] + measured["responseHeadersSize"]
    print(f"work plan, first visit: {sum(sizes.values())} bytes on the wire", sizes)
    assert sum(sizes.values()) <= PAGE_WEIGHT_BUDGET, sizes
