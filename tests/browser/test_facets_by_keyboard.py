"""The depository's search and facet panel by keyboard alone, on a desktop and on a phone, where
the panel folds away behind a "Filters" button."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.htmx import after_htmx_settles

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
