"""Low bandwidth: what a first visit to the depository costs on the wire, and the portal with
JavaScript turned off."""

import pytest
from django.utils import timezone

from depository.models import Entry, EntryStatus

pytestmark = pytest.mark.browser

PAGE_WEIGHT_BUDGET = 60 * 1024  # bytes, compressed: HTML + CSS + JS (issue 6)


def publish_copies_of_the_real_entries(count):
    """More published entries like the real ones (same summaries and facets), so the browse page is full."""
    originals = list(Entry.objects.published().prefetch_related("themes", "violence_types", "city_types", "cities"))
    for number in range(count):
        original = originals[number % len(originals)]
        copy = Entry.objects.create(
            kind=original.kind,
            title=f"{original.title} ({number + 2}nd edition)",
            slug=f"{original.slug}-edition-{number + 2}",
            summary=original.summary,
            year=original.year,
            status=EntryStatus.PUBLISHED,
            published_at=timezone.now(),
        )
        copy.themes.set(original.themes.all())
        copy.violence_types.set(original.violence_types.all())
        copy.city_types.set(original.city_types.all())
        copy.cities.set(original.cities.all())


def test_browse_page_with_20_results_weighs_at_most_60_kb_on_first_visit(records_to_change, page):
    publish_copies_of_the_real_entries(20)
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto("/depository/")
    page.wait_for_load_state("networkidle")
    assert page.locator("main article").count() == 20

    sizes = {}
    for request in responses:
        measured = request.sizes()
        sizes[request.url] = measured["responseBodySize"] + measured["responseHeadersSize"]
    total = sum(sizes.values())
    html = next(request for request in responses if request.resource_type == "document")
    assert html.response().header_value("content-encoding") == "gzip"
    stylesheet = next(request for request in responses if request.resource_type == "stylesheet")
    assert stylesheet.response().header_value("content-encoding") in {"br", "gzip"}
    print(f"browse page, 20 results, first visit: {total} bytes on the wire", sizes)
    assert total <= PAGE_WEIGHT_BUDGET, sizes


def test_language_switcher_and_search_work_without_javascript(records, new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/meetings/")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    assert page.url.endswith("/meetings/")
    assert page.get_by_role("heading", level=1).inner_text() == "Réunions et événements"
    page.locator(".brand").click()
    page.get_by_label("Rechercher dans le dépôt documentaire").fill("observatories")
    page.get_by_role("button", name="Rechercher").click()
    assert "/depository/?q=observatories" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Dépôt documentaire"
