"""The depository's search and facet panel by keyboard alone, on a desktop and on a phone, where
the panel folds away behind a "Filters" button."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const element = document.activeElement;
  return {
    tag: element.tagName.toLowerCase(),
    type: element.type || '',
    text: (element.closest('label, summary') || element).innerText.trim(),
    outline: parseFloat(getComputedStyle(element).outlineWidth),
  };
}"""


HTMX_TRACKER = """() => {
  if (window.twgHtmx) return;
  window.twgHtmx = {inFlight: 0, settled: 0};
  document.body.addEventListener('htmx:beforeRequest', () => { window.twgHtmx.inFlight += 1; });
  document.body.addEventListener('htmx:afterSettle', () => {
    window.twgHtmx.inFlight = Math.max(0, window.twgHtmx.inFlight - 1);
    window.twgHtmx.settled += 1;
  });
  document.body.addEventListener('htmx:responseError', () => { window.twgHtmx.inFlight -= 1; });
}"""


def after_htmx_settles(page, action):
    """Do `action` (a key press that makes htmx fetch and swap the results) and return once htmx has
    swapped and settled at least once since, with no request of its own still in flight (one key can
    start two: Enter in the search box is a change and a submit). Waits on htmx's own events, never on
    a fixed delay or on "no network for 500 ms" (issue 13: the filter was missed on a loaded machine)."""
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate(HTMX_TRACKER)
    before = page.evaluate("() => window.twgHtmx.settled")
    action()
    page.wait_for_function("(before) => window.twgHtmx.settled > before && window.twgHtmx.inFlight === 0", arg=before)


def tab_until(page, wanted, limit=40):
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if wanted(focused):
            return focused
    raise AssertionError(f"never reached by Tab; last focus: {focused}")


def test_search_and_facets_by_keyboard_on_a_desktop(records, new_page):
    page = new_page(viewport=DESKTOP)
    page.goto("/depository/")
    count = page.locator(".browse__count")
    expect(count).to_have_text("28 entries")
    expect(page.locator(".facets__toggle")).to_be_hidden()

    page.get_by_label("Search", exact=True).focus()
    page.keyboard.type("crime prevention")
    after_htmx_settles(page, lambda: page.keyboard.press("Enter"))
    expect(page).to_have_url(re.compile(r"q=crime(\+|%20)prevention"))

    checkbox = tab_until(page, lambda focused: focused["type"] == "checkbox")
    assert checkbox["outline"] >= 2, checkbox
    after_htmx_settles(page, lambda: page.keyboard.press("Space"))
    label = checkbox["text"].rsplit(" (", 1)[0]
    expect(page.get_by_role("list", name="Active filters")).to_contain_text(label)
    expect(page.get_by_role("checkbox", name=checkbox["text"], exact=True)).to_be_checked()
    expect(page).to_have_url(re.compile(r"q=crime(\+|%20)prevention&.*="))


def test_facet_panel_folds_away_on_a_phone_and_opens_by_keyboard(records, new_page):
    page = new_page(viewport=PHONE)
    page.goto("/depository/")
    count = page.locator(".browse__count")
    toggle = page.locator(".facets__toggle")
    expect(toggle).to_be_visible()
    expect(page.locator(".facets input[type=checkbox]").first).to_be_hidden()
    # Folded, the panel leaves the results near the top of the screen.
    assert count.bounding_box()["y"] < PHONE["height"]

    focused = tab_until(page, lambda focused: focused["tag"] == "summary")
    assert focused["text"] == "Filters"
    page.keyboard.press("Enter")
    expect(page.locator(".facets input[type=checkbox]").first).to_be_visible()

    checkbox = tab_until(page, lambda focused: focused["type"] == "checkbox")
    after_htmx_settles(page, lambda: page.keyboard.press("Space"))
    expect(count).not_to_have_text("28 entries")
    # The panel stays open while the visitor is choosing filters.
    expect(page.locator(".facets input[type=checkbox]:checked")).to_be_visible()
    assert checkbox["outline"] >= 2
