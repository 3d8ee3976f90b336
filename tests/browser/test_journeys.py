"""Issue 6's journeys, clicked through in a real browser as a person would.

The practitioner journey runs here. The organizer journey (admin: entry with facets and a PDF,
publish, find it by a word of the PDF) and the member journey (invitation, paper, review,
publication) are left to the lead: see docs/browser-tests.md."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from depository.models import Entry, ViolenceType

pytestmark = pytest.mark.browser


@pytest.fixture
def organized_violence_tagged(records):
    """As an organizer curating the depository would: three more entries about organized violence
    (the records tag only the inception report with violence types)."""
    organized = ViolenceType.objects.get(slug="organized")
    for slug in (
        "world-bank-e-learning-urban-violence",
        "promising-practices-exchange-2015",
        "crime-observatories-mexico",
    ):
        Entry.objects.get(slug=slug).violence_types.add(organized)
    return organized


def facet_checkbox(page, label):
    return page.locator(".facets label").filter(has_text=label).locator("input[type=checkbox]")


def facet_count(page, label):
    text = page.locator(".facets label").filter(has_text=label).locator(".facet__count").inner_text()
    return int(text.strip("()"))


def test_practitioner_finds_cites_and_reads_an_entry_in_spanish(organized_violence_tagged, page):
    # Home -> depository, by the main navigation.
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Depository").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Depository")
    count = page.locator(".browse__count")
    expect(count).to_have_text("14 entries")
    theme = "Knowledge exchange and evidence"
    theme_count_before = facet_count(page, theme)

    # Tick a violence type: the results and the other facets' counts change.
    facet_checkbox(page, "Organized violence").check()
    expect(count).to_have_text("4 entries")
    expect(page).to_have_url(re.compile(r"violence_type=organized"))
    theme_count_after = facet_count(page, theme)
    assert theme_count_after < theme_count_before

    # Tick a theme as well.
    facet_checkbox(page, theme).check()
    expect(count).to_have_text(f"{theme_count_after} entries")
    expect(page.get_by_role("list", name="Active filters")).to_contain_text("Organized violence")

    # Search a phrase within the selection.
    search = page.get_by_label("Search", exact=True)
    search.fill('"e-learning tools"')
    search.press("Enter")
    expect(count).to_have_text("1 entry")
    title = "World Bank e-learning tools on urban violence"

    # Open the entry.
    page.locator(".browse__results").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    entry_url = page.url

    # Download its RIS citation.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="RIS", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ris")
    ris = Path(download.path()).read_text(encoding="utf-8")
    assert ris.startswith("TY  - ")
    assert f"TI  - {title}" in ris

    # Switch the page to Spanish: same entry, Spanish interface.
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert page.url == entry_url
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("heading", name="Cómo citar")).to_be_visible()
    expect(page.get_by_role("navigation", name="Principal").get_by_role("link", name="Repositorio")).to_be_visible()
