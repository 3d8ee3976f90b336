"""Every public page, in a real browser, on a desktop, on a 375 px phone, and on a phone in Arabic
(right to left): accessible (axe-core, WCAG 2 A and AA, no serious or critical violation),
self-contained (no request leaves the portal's origin: no CDN, web font or analytics) and
without horizontal scrolling."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.pages import PUBLIC_PAGES

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_page_is_accessible_self_contained_and_fits_a_phone(records, new_page, axe, live_server, name):
    path = PUBLIC_PAGES[name]()
    for viewport, locale in ((DESKTOP, "en-GB"), (PHONE, "en-GB"), (PHONE, "ar")):
        page = new_page(viewport=viewport, locale=locale)
        requested = []
        page.on("request", lambda request, requested=requested: requested.append(request.url))
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert len(requested) >= 2, f"expected the page and its stylesheet, got {requested}"
        assert all(url.startswith(f"{live_server.url}/") for url in requested), requested
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} in {locale} is {width} px wide at {viewport}"
        axe.check(page)
