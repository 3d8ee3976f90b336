"""A link carries its language (issue 22, finding 9): `/ar/depository/`, `/es/`, `/fr/meetings/`
answer in their language; every English address, and every machine or organizer address, is
unchanged; the cookie and the browser's language still choose the language of an unprefixed page;
the switcher and the hreflang alternates lead to the prefixed addresses."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "language", "text"),
    [
        ("/ar/", "ar", "المستودع"),
        ("/ar/depository/", "ar", "المستودع"),
        ("/es/meetings/", "es", "Reuniones"),
        ("/fr/depository/glossary/", "fr", "Réunions"),
    ],
)
def test_a_prefixed_address_answers_in_its_language(client, path, language, text):
    response = client.get(path, headers={"accept-language": "en"})
    assert response.status_code == 200
    content = response.content.decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in content
    assert text in content
    assert response["Content-Language"] == language


def test_links_on_an_arabic_page_are_arabic_addresses(client):
    content = client.get("/ar/").content.decode()
    assert 'href="/ar/depository/"' in content and 'href="/ar/meetings/"' in content
    assert 'href="/depository/"' not in content


@pytest.mark.parametrize(
    "name", ["home", "about", "depository:browse", "depository:glossary", "meetings:list", "places:cities"]
)
def test_english_addresses_are_unchanged(client, name):
    path = reverse(name)
    assert not path.startswith(("/en/", "/es/", "/fr/", "/ar/"))
    response = client.get(path)
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in response.content.decode()
    assert client.get(f"/en{path}").status_code == 404  # English has no prefix


@pytest.mark.parametrize("path", ["/api/", "/oai/?verb=Identify", "/healthz", "/robots.txt", "/sitemap.xml"])
def test_machine_addresses_have_no_language_prefix(client, path):
    assert client.get(path).status_code == 200
    assert client.get(f"/ar{path}").status_code == 404


def test_the_admin_has_no_language_prefix(client):
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/ar/admin/login/").status_code == 404


def test_the_cookie_and_the_browser_still_choose_an_unprefixed_page_s_language():
    assert '<html lang="ar" dir="rtl">' in Client(headers={"accept-language": "ar"}).get("/").content.decode()
    visitor = Client()
    visitor.cookies["django_language"] = "fr"
    assert '<html lang="fr" dir="ltr">' in visitor.get("/depository/").content.decode()


@pytest.mark.parametrize(
    ("language", "next_page", "location"),
    [
        ("ar", "/depository/?q=water", "/ar/depository/?q=water"),
        ("en", "/ar/depository/?q=water", "/depository/?q=water"),
        ("fr", "/es/meetings/", "/fr/meetings/"),
    ],
)
def test_the_switcher_leads_to_the_page_s_address_in_the_chosen_language(client, language, next_page, location):
    response = client.post(reverse("set_language"), {"language": language, "next": next_page})
    assert response.status_code == 302 and response["Location"] == location


def test_each_page_names_its_versions_in_every_language(client):
    content = client.get("/ar/depository/?q=water").content.decode()
    for hreflang, path in [
        ("en", "/depository/?q=water"),
        ("es", "/es/depository/?q=water"),
        ("fr", "/fr/depository/?q=water"),
        ("ar", "/ar/depository/?q=water"),
        ("x-default", "/depository/?q=water"),
    ]:
        assert f'<link rel="alternate" hreflang="{hreflang}" href="http://testserver{path}">' in content
