"""Four languages in the browser: chosen from the browser's language, switched on any page without
leaving it, and Arabic laid out right to left."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.pages import INCEPTION_MEETING

pytestmark = pytest.mark.browser


def main_navigation(page):
    return page.get_by_role("navigation", name=page.evaluate("document.querySelector('.site-nav').ariaLabel"))


def test_language_switcher_keeps_the_visitor_on_the_same_page(records, page):
    page.goto("/meetings/")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.url.endswith("/meetings/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert main_navigation(page).get_by_role("link", name="Reuniones").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "Reuniones y eventos"
    # The choice sticks (a cookie) on the next page.
    main_navigation(page).get_by_role("link", name="Repositorio").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Repositorio"


def test_browser_language_chooses_the_interface_language(records, new_page):
    for locale, skip, heading in [
        ("es-CO", "Saltar al contenido", "Seguridad urbana y consolidación de la paz, juntas"),
        ("fr-CH", "Aller au contenu", "Sécurité urbaine et consolidation de la paix, ensemble"),
        ("ar-LB", "الانتقال إلى المحتوى", "السلامة الحضرية وبناء السلام معاً"),
    ]:
        page = new_page(locale=locale)
        page.goto("/")
        assert page.locator("html").get_attribute("lang") == locale[:2]
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert page.locator(".skip-link").inner_text() == skip


def test_arabic_is_laid_out_right_to_left(records, new_page, axe):
    for viewport in (DESKTOP, PHONE):
        page = new_page(locale="ar", viewport=viewport)
        page.goto(f"/meetings/{INCEPTION_MEETING}/")
        assert page.locator("html").get_attribute("dir") == "rtl"
        width = page.evaluate("document.documentElement.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # Text starts at the right edge: the brand sits on the right, the heading is right-aligned.
        brand = page.locator(".brand").bounding_box()
        heading = page.get_by_role("heading", level=1).bounding_box()
        assert brand["x"] + brand["width"] > width * 0.75
        assert heading["x"] + heading["width"] > width * 0.75
        axe.check(page)


def test_dates_follow_the_interface_language(records, new_page):
    page = new_page(locale="es")
    page.goto(f"/meetings/{INCEPTION_MEETING}/")
    assert "5 de noviembre de 2014" in page.locator("main").inner_text()
