"""axe-core (WCAG 2 A and AA) on every public page, at desktop width and on a 375 px phone."""

import pytest

from depository.models import Entry
from meetings.models import Meeting
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

PUBLIC_PAGES = {
    "home": lambda: "/",
    "about": lambda: "/about/",
    "browse": lambda: "/depository/",
    "entry": lambda: Entry.objects.published().latest(1)[0].get_absolute_url(),
    "meetings": lambda: "/meetings/",
    "meeting": lambda: Meeting.objects.get(slug="inception-meeting-2014").get_absolute_url(),
    "not-found": lambda: "/no-such-page/",
}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_no_serious_accessibility_violation(records, new_page, axe, name, viewport):
    page = new_page(viewport=viewport)
    page.goto(PUBLIC_PAGES[name]())
    axe.check(page)
