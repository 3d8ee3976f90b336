"""The README's screenshots, taken from the real TWG records: `make screenshots` writes them to
docs/screenshots/. Not part of `make test` (the file name does not start with test_)."""

import pytest
from django.conf import settings

from tests.browser.pages import INCEPTION_MEETING

pytestmark = pytest.mark.browser

SCREENSHOTS = settings.BASE_DIR / "docs" / "screenshots"
WIDE = {"width": 1200, "height": 800}


@pytest.mark.parametrize(
    ("name", "path", "locale"),
    [
        ("home", "/", "en-GB"),
        ("home-ar", "/", "ar"),
        ("meeting", f"/meetings/{INCEPTION_MEETING}/", "en-GB"),
        ("map", "/cities/map/", "en-GB"),
        ("city", "/cities/bogota/", "en-GB"),
    ],
)
def test_screenshot(records, new_page, name, path, locale):
    page = new_page(viewport=WIDE, locale=locale)
    page.goto(path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
