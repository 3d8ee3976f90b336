"""The member pages in a real browser: a member logs in through the form, and every page they
see is accessible (axe-core) and fits a 375 px phone."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.pages import MEMBER_PAGES
from tests.conftest import make_member

pytestmark = pytest.mark.browser


def log_in(page, username, password):
    page.goto("/members/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/members/")


def test_member_logs_in_and_every_member_page_is_accessible(records_to_change, new_page, axe):
    member = make_member("amina", "Amina Diallo")
    for viewport in (DESKTOP, PHONE):
        page = new_page(viewport=viewport)
        log_in(page, "amina", "member-pass-1")
        assert member.person.name in page.locator("main").inner_text()
        for path in MEMBER_PAGES.values():
            page.goto(path)
            assert page.url.endswith(path), f"{path} redirected to {page.url}"
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (path, viewport)
            axe.check(page)
