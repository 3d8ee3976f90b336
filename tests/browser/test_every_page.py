"""Every public page, in a real browser, on a desktop, on a 375 px phone, and on a phone in Arabic
(right to left): accessible (axe-core, WCAG 2 A and AA, no serious or critical violation),
self-contained (no request leaves the portal's origin: no CDN, web font or analytics),
without horizontal scrolling and without console errors."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.pages import PUBLIC_PAGES

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_page_is_accessible_self_contained_and_fits_a_phone(records, new_page, axe, browser_server, name):
    path = PUBLIC_PAGES[name]()
    for viewport, locale in ((DESKTOP, "en-GB"), (PHONE, "en-GB"), (PHONE, "ar")):
        page = new_page(viewport=viewport, locale=locale)
        requested, console_errors = [], []
        page.on("request", lambda request, requested=requested: requested.append(request.url))
        # No console error on any page (issue 15: e.g. a CSP refusal of an injected inline style).
        page.on(
            "console",
            lambda message, errors=console_errors: errors.append(message.text) if message.type == "error" else None,
        )
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert len(requested) >= 2, f"expected the page and its stylesheet, got {requested}"
        assert all(url.startswith(f"{browser_server.url}/") for url in requested), requested
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} in {locale} is {width} px wide at {viewport}"
        axe.check(page)
        # The 404 page's own request is logged as an error by the browser; nothing else may be.
        expected = 1 if name == "not-found" else 0
        assert len(console_errors) == expected, f"{path} in {locale}: {console_errors}"
