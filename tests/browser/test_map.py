"""The map of the network in a real browser: its dots are links that lead to the city pages, by mouse
and by keyboard, and the list beside it names the same cities."""

import pytest

from places.models import City

pytestmark = pytest.mark.browser


def test_map_dots_lead_to_city_pages(records, page):
    page.goto("/cities/map/")
    dots = page.locator("svg a.city-map__city")
    placed = City.objects.filter(latitude__isnull=False).count()
    assert dots.count() == placed > 20
    listed = page.locator("#list + ul.city-list li a")
    assert listed.count() == placed
    dots.and_(page.locator('[href="/cities/bogota/"]')).click()
    page.wait_for_url("**/cities/bogota/")
    assert page.locator("h1").inner_text() == "Bogotá"


def test_map_dots_are_reachable_by_keyboard(records, page):
    page.goto("/cities/map/")
    page.locator("svg a.city-map__city").first.focus()
    first = page.evaluate("document.activeElement.getAttribute('href')")
    assert first.startswith("/cities/")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{first}")
