"""The organizers' start page and the use statistics report in a real browser, logged in through the
admin's own form as an organizer: accessible (axe-core, WCAG 2 A and AA)."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from core.roles import sync_organizers_group
from depository.models import Entry
from tests.browser.test_journeys import admin_log_in
from usage.models import MonthlyUsage

pytestmark = pytest.mark.browser


def test_organizer_start_page_and_statistics_are_accessible(records_to_change, new_page, axe):
    user = get_user_model().objects.create_user("olga", password="organizer-pass-1", is_staff=True)
    user.groups.add(sync_organizers_group())
    entry = Entry.objects.published().first()
    entry.themes.clear()  # something waits: an entry without a theme
    MonthlyUsage.objects.create(entry=entry, month=entry.published_at.date().replace(day=1), views=12, downloads=3)

    page = new_page()
    admin_log_in(page, "olga", "organizer-pass-1")
    waiting = page.locator("#waiting")
    expect(waiting).to_contain_text("Entries without a theme")
    # The count column's header on one line, not one letter a line (issue 22): its line boxes.
    lines = page.evaluate(
        """() => { const range = document.createRange();
        range.selectNodeContents(document.querySelectorAll('#waiting thead th')[1]);
        return range.getClientRects().length; }"""
    )
    assert lines == 1
    axe.check(page)
    page.locator(".technical-models summary").click()
    expect(page.locator("#group-technical")).to_be_visible()
    axe.check(page)

    page.locator(".waiting-no_theme a").click()
    expect(page.locator("#result_list")).to_contain_text(entry.title)

    page.goto("/admin/usage/monthlyusage/")
    expect(page.locator("#table-most-viewed")).to_contain_text(entry.title)
    axe.check(page)
