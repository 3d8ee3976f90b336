"""Text in another language than the page's is marked with `lang` AND `dir` (issue 22, finding 9).

On an Arabic page, English fallback text (a glossary definition not yet translated, a typology
description, an entry's title) inside `lang="en"` without a direction was laid out right to left:
its punctuation jumped to the wrong end. Country names, stated timings ("Autumn 2015") and theme
names are shown in the visitor's language where a translation exists, and marked where not.
Real pages, with the TWG's records loaded."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from core.templatetags.languages import in_its_language, lang_dir
from tests.depository_helpers import make_entry

DIRECTION = {"en": "ltr", "es": "ltr", "fr": "ltr", "ar": "rtl"}
PAGES = [
    reverse("home"),
    reverse("depository:browse"),
    reverse("depository:glossary"),
    reverse("depository:typology"),
    reverse("depository:literature"),
    reverse("meetings:list"),
    "/meetings/second-meeting-2015/",
    "/meetings/beirut-meeting-proposal-2015/",
    "/cities/bogota/",
]
LANG = re.compile(r"<(\w+)\b([^>]*)\blang=\"([\w-]+)\"([^>]*)>")


def page(client, path, language):
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.mark.parametrize("language", ["ar", "es", "fr"])
def test_every_element_with_a_language_has_its_direction(client, twg_records, language):
    """The kind: any element marked with a language and no direction (or the wrong one)."""
    for path in PAGES:
        html = page(client, path, language)
        marked = LANG.findall(html)
        assert len(marked) > 1, path
        for tag, before, code, after in marked:
            direction = re.search(r'\bdir="(\w+)"', before + after)
            assert direction and direction[1] == DIRECTION[code], (path, tag, code, before + after)


@pytest.mark.django_db
def test_english_fallback_on_an_arabic_page_is_marked_left_to_right(client, twg_records):
    glossary = page(client, reverse("depository:glossary"), "ar")
    assert re.search(r'<div lang="en" dir="ltr"><p>[A-Z]', glossary)  # an untranslated definition
    typology = page(client, reverse("depository:typology"), "ar")
    assert re.search(r'<div lang="en" dir="ltr"><p>[A-Z]', typology)
    browse = page(client, reverse("depository:browse"), "ar")
    assert re.search(r'<h2 class="card__title" lang="en" dir="ltr"><a href="[^"]+">[A-Z]', browse)


@pytest.mark.django_db
def test_arabic_text_on_an_english_page_is_marked_right_to_left(client):
    make_entry("دليل المدن الآمنة", slug="dalil", language="ar", summary="ملخص قصير.", tags=["safety"])
    browse = page(client, reverse("depository:browse"), "en")
    assert '<h2 class="card__title" lang="ar" dir="rtl"><a href="/depository/dalil/">دليل المدن الآمنة</a>' in browse
    entry = page(client, "/depository/dalil/", "en")
    assert '<h1 lang="ar" dir="rtl">دليل المدن الآمنة</h1>' in entry


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "country", "mexico", "autumn"),
    [
        ("ar", "كولومبيا", "المكسيك", "خريف 2015"),
        ("es", "Colombia", "México", "Otoño de 2015"),
        ("fr", "Colombie", "Mexique", "Automne 2015"),
    ],
)
def test_countries_and_timings_in_the_visitor_s_language(client, twg_records, language, country, mexico, autumn):
    browse = page(client, reverse("depository:browse"), language)
    assert f'value="Colombia"> {country} <span class="facet__count">' in browse
    chips = page(client, reverse("depository:browse") + "?country=Colombia", language)
    assert f": {country} <span" in chips
    timeline = page(client, reverse("meetings:list"), language)
    assert autumn in timeline and "Autumn 2015" not in timeline
    organizations = page(client, reverse("meetings:organizations"), language)
    assert f"Corregidora, {mexico}</th>" in organizations


@pytest.mark.django_db
def test_tags_and_untranslated_theme_names_are_marked_on_other_pages(client):
    make_entry("Lighting audit", slug="audit", tags=["street lighting"], themes=["public-space"])
    entry = page(client, "/depository/audit/", "ar")
    assert '?tag=street-lighting" lang="en" dir="ltr">street lighting</a>' in entry
    assert '?theme=public-space" lang="en" dir="ltr">Public space</a>' in entry


def test_the_filters_give_language_and_direction():
    assert lang_dir("ar") == 'lang="ar" dir="rtl"'
    assert lang_dir("anything else") == 'lang="en" dir="ltr"'
    with translation.override("fr"):
        assert in_its_language("Autumn <b>") == '<span lang="en" dir="ltr">Autumn &lt;b&gt;</span>'
    with translation.override("en"):
        assert in_its_language("Autumn") == "Autumn"
