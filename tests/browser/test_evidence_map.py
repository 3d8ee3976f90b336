"""The evidence and gap map (issue 21) in a real browser, on the TWG's records classified with the
admin's bulk action's service: at 1280 px and 375 px, in English and in Arabic, accessible (axe-core),
no sideways scrolling of the page (the wide table scrolls inside its own box), within the page-weight
budget, readable without JavaScript, and a mark leads to the browse page of exactly its entries."""

import pytest

from depository import services
from depository.models import CityType, Entry, Theme
from depository.services import TermsMode
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_low_bandwidth import PAGE_WEIGHT_BUDGET

pytestmark = pytest.mark.browser


def classify_the_records():
    """Every published work gets the first theme and the first two city types; half of them are evaluated."""
    published = Entry.objects.published().order_by("pk")
    services.classify_entries(
        entries=published,
        terms={
            "themes": (TermsMode.ADD, list(Theme.objects.filter(parent=None).order_by("pk")[:1])),
            "city_types": (TermsMode.ADD, list(CityType.objects.order_by("pk")[:2])),
        },
    )
    half = list(published.values_list("pk", flat=True))[::2]
    services.classify_entries(entries=Entry.objects.filter(pk__in=half), evidence_level="evaluated")


def test_the_map_is_accessible_fits_a_phone_and_weighs_little(records_to_change, new_page, axe):
    classify_the_records()
    for viewport, locale, path in (
        (DESKTOP, "en-GB", "/depository/typology/"),
        (PHONE, "en-GB", "/depository/typology/"),
        (PHONE, "ar", "/ar/depository/typology/?columns=violence_type"),
        (DESKTOP, "ar", "/ar/depository/typology/"),
    ):
        page = new_page(viewport=viewport, locale=locale)
        responses = []
        page.on("requestfinished", lambda request, responses=responses: responses.append(request))
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.locator("table.gapmap a.gapmap__cell").count() > 0
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} in {locale} is {width} px wide at {viewport}"
        axe.check(page)
        if locale == "ar":
            assert page.evaluate("document.documentElement.dir") == "rtl"
        total = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in responses)
        assert total <= PAGE_WEIGHT_BUDGET, (path, total)
    # On the phone, the table is wider than the screen and scrolls inside its own region.
    page = new_page(viewport=PHONE)
    page.goto("/depository/typology/")
    region = page.locator(".gapmap-scroll")
    assert region.evaluate("element => element.scrollWidth > element.clientWidth")


def test_a_mark_leads_to_its_entries_without_javascript(records_to_change, new_page):
    classify_the_records()
    page = new_page(java_script_enabled=False)
    page.goto("/depository/typology/")
    mark = page.locator("a.gapmap__cell").first
    count = int(mark.locator(".gapmap__count").inner_text().split()[0])
    assert "strongest evidence" in mark.get_attribute("title")
    mark.click()
    page.wait_for_url("**/depository/?theme=*")
    assert page.locator(".browse__count").inner_text() == f"{count} entries"
    assert page.locator("main article").count() == min(count, 20)
    # The switch and the filters are a plain form.
    page.goto("/depository/typology/")
    page.get_by_label("Violence types").check()
    page.get_by_label("Kind").select_option("publication")
    page.get_by_role("button", name="Show the map").click()
    assert "columns=violence_type" in page.url and "kind=publication" in page.url
    assert "violence type (columns)" in page.locator("table.gapmap caption").inner_text()
