"""The whole bibliographic record in a real browser (issue 20): a fully filled journal article's entry
page and the literature review, at 1280 and 375 px, in English and in Arabic (right to left): the
record block, the abstract, the keywords' links and the link to the text, accessible (axe-core, WCAG 2
A and AA) and never wider than the screen; and the admin's change form grouped for a cataloguer, its
fields named for the chosen type."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from core.roles import sync_organizers_group
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journeys import admin_log_in
from tests.depository_helpers import attach, journal_article

pytestmark = pytest.mark.browser
VIEWS = [(language, viewport) for language in ("en", "ar") for viewport in (DESKTOP, PHONE)]
VIEW_IDS = [f"{language}-{viewport['width']}" for language, viewport in VIEWS]


@pytest.fixture
def article(records_to_change, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    entry = journal_article()
    attach(entry, name="policing-the-periphery.pdf")
    return entry


def fits_the_screen(page):
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize(("language", "viewport"), VIEWS, ids=VIEW_IDS)
def test_the_entry_page_shows_the_whole_record(article, new_page, axe, language, viewport):
    page = new_page(locale=language, viewport=viewport)
    prefix = "" if language == "en" else f"/{language}"
    page.goto(f"{prefix}{article.get_absolute_url()}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    record = page.locator("section.record")
    expect(record.locator("cite")).to_have_text("Journal of Urban Safety")
    expect(record).to_contain_text("45-67")
    expect(record.locator("time[datetime='2019-03']")).to_be_visible()
    expect(record.locator("a[href='https://doi.org/10.1234/jus.2019.12.3.45']")).to_be_visible()
    abstract = page.locator("section.entry__abstract div")
    expect(abstract).to_have_attribute("lang", "en")
    expect(abstract).to_have_attribute("dir", "ltr")
    expect(abstract).to_contain_text("Residents of two peripheral districts")
    keyword = page.locator("a.chip[href$='?tag=participatory-mapping']")
    expect(keyword).to_be_visible()
    read = page.locator(".entry__read a")
    expect(read).to_be_visible()
    expect(read).to_have_attribute("href", re.compile(r"/depository/policing-the-periphery/files/\d+/$"))
    box = read.bounding_box()
    assert box["y"] < page.locator("section.record").bounding_box()["y"]  # before the record: prominent
    fits_the_screen(page)
    axe.check(page)
    # A keyword leads to the works that carry it.
    keyword.click()
    expect(page.locator(".browse__results")).to_contain_text("Policing the periphery")


@pytest.mark.parametrize(("language", "viewport"), VIEWS, ids=VIEW_IDS)
def test_the_literature_review_shows_the_abstract_and_where_it_appeared(article, new_page, axe, language, viewport):
    page = new_page(locale=language, viewport=viewport)
    page.goto(f"{'' if language == 'en' else '/' + language}/depository/literature/")
    item = page.locator("article.literature__item", has=page.locator("a[href$='/policing-the-periphery/']"))
    expect(item.locator(".literature__reference cite")).to_have_text("Journal of Urban Safety")
    expect(item.locator(".literature__reference")).to_contain_text("Urban Press")
    expect(item.locator(".literature__abstract")).to_contain_text("Residents of two peripheral districts")
    fits_the_screen(page)
    axe.check(page)


def test_the_admin_form_groups_the_record_and_names_fields_for_the_type(article, new_page):
    user = get_user_model().objects.create_user("olga", password="organizer-pass-1", is_staff=True)
    user.groups.add(sync_organizers_group())
    page = new_page()
    admin_log_in(page, "olga", "organizer-pass-1")
    page.goto(f"/admin/depository/entry/{article.pk}/change/")
    for group in ("The work", "Published in", "Publication", "Identifiers and links", "Abstract and notes"):
        expect(page.get_by_role("heading", name=group, exact=True)).to_be_visible()
    container = page.locator("label[for='id_container_title']")
    expect(container).to_have_text("Journal:")
    page.locator("#id_item_type").select_option("chapter")
    expect(container).to_have_text("Book:")
    page.locator("#id_item_type").select_option("webpage")
    expect(container).to_have_text("Website:")
    # A field that does not apply folds away, unless it holds a value: a web page has no edition, but
    # this one keeps its issue (3).
    expect(page.locator(".form-row.field-edition")).to_be_hidden()
    expect(page.locator(".form-row.field-issue")).to_be_visible()
    page.locator("#id_item_type").select_option("article-journal")
    expect(container).to_have_text("Journal:")
    expect(page.locator(".form-row.field-edition")).to_be_hidden()
    page.locator("#id_item_type").select_option("book")
    expect(page.locator(".form-row.field-edition")).to_be_visible()
    # Not axe-checked: the change form's autocomplete widgets (Django's select2, for the creators' people
    # and the facets) lack accessible names, as on every entry's form before this one.
