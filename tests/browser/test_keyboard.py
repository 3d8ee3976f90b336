"""The portal by keyboard alone: a skip link first, then the navigation and the language switcher,
every stop with a visible focus outline."""

import pytest

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    text: (element.innerText || element.value || '').trim(),
    href: element.getAttribute('href'),
    outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth),
    visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight,
  };
}"""


def tab(page):
    page.keyboard.press("Tab")
    return page.evaluate(FOCUSED)


def test_skip_link_navigation_and_language_switcher_by_tab(records, page):
    page.goto("/meetings/")
    # skip link, brand, five navigation links (Depository, Meetings, Cities, Members, About),
    # log-in link, language select, Change button
    stops = [tab(page) for _ in range(10)]

    skip = stops[0]
    assert (skip["text"], skip["href"]) == ("Skip to content", "#main")
    assert skip["visible"], "the skip link must appear when it has focus"

    labels = [stop["text"] for stop in stops]
    for label in ("Depository", "Meetings", "Cities", "Members", "About"):
        assert label in labels, labels
    assert labels.index("Depository") < labels.index("About")
    assert any(stop["id"] == "language-select" for stop in stops), stops
    assert labels.index("Change") > labels.index("About")

    for stop in stops:
        assert stop["visible"], stop
        assert stop["outline"] >= 2, f"no visible focus outline on {stop}"


def test_skip_link_moves_focus_to_the_main_content(records, page):
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")
    # The next Tab continues inside the content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_search_from_the_home_page_by_keyboard(records, page):
    page.goto("/")
    page.get_by_label("Search the depository").focus()
    page.keyboard.type("crime observatories")
    page.keyboard.press("Enter")
    page.wait_for_url("**/depository/?q=crime+observatories")
    assert page.get_by_role("heading", level=1).inner_text() == "Depository"
