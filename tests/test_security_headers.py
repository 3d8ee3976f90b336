"""Response headers and cookies: the Content-Security-Policy on every page, and, with production
settings (SECURE_HTTPS=true), HSTS, nosniff, a strict Referrer-Policy and secure HttpOnly cookies."""

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import admin
from django.db import connection
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parent.parent


# Data blocks (`json_script`, JSON-LD) are never executed, so the policy does not block them.
DATA_BLOCK_TYPES = {"application/json", "application/ld+json"}


class InlineCode(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' would block or must allow."""

    def __init__(self):
        super().__init__()
        self.nonces = []  # nonce of every <script>, <style> and stylesheet <link>
        self.un_nonced_inline = []  # inline <script>/<style> without a nonce
        self.blocked_attributes = []  # style="...", onclick="...", href="javascript:..."
        self._open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name == "style" or name.startswith("on"):
                self.blocked_attributes.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.blocked_attributes.append(f"<{tag} {name}={value!r}>")
        if tag in {"script", "style"} or (tag == "link" and attrs.get("rel") == "stylesheet"):
            if "nonce" in attrs:
                self.nonces.append(attrs["nonce"])
            data_block = tag == "script" and attrs.get("type") in DATA_BLOCK_TYPES
            if tag in {"script", "style"} and "src" not in attrs and not data_block:
                self._open = (tag, attrs)

    def handle_data(self, data):
        if self._open and data.strip() and "nonce" not in self._open[1]:
            self.un_nonced_inline.append(f"<{self._open[0]}>{data.strip()[:80]}")

    def handle_endtag(self, tag):
        if self._open and tag == self._open[0]:
            self._open = None


def header_nonce(response):
    match = re.search(r"script-src [^;]*'nonce-([^']+)'", response["Content-Security-Policy"])
    return match.group(1) if match else None


def assert_page_obeys_its_csp(response):
    assert response.status_code == 200, response
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in directives[directive] and "'unsafe-eval'" not in directives[directive]
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    page = InlineCode()
    page.feed(response.text)
    assert page.un_nonced_inline == []
    assert page.blocked_attributes == []
    if page.nonces:
        assert set(page.nonces) == {header_nonce(response)}
    return page


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["home", "about", "depository:browse", "meetings:list"])
def test_portal_pages_carry_a_csp_they_obey(client, twg_records, url_name):
    assert_page_obeys_its_csp(client.get(reverse(url_name)))


@pytest.mark.django_db
def test_every_page_gets_a_fresh_nonce(admin_client):
    first, second = admin_client.get("/admin/"), admin_client.get("/admin/")
    assert header_nonce(first) and header_nonce(second)
    assert header_nonce(first) != header_nonce(second)


@pytest.mark.django_db
def test_the_admin_login_obeys_the_csp_and_nonces_its_scripts_and_styles(client):
    page = assert_page_obeys_its_csp(client.get("/admin/login/"))
    assert len(page.nonces) >= 3  # base.css, dark_mode.css, theme.js, login.css


@pytest.mark.django_db
def test_every_admin_changelist_add_and_change_form_obeys_the_csp(admin_client, twg_records):
    checked = 0
    for model in admin.site._registry:
        opts = model._meta
        urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}") for view in ("changelist", "add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
        for url in urls:
            response = admin_client.get(url)
            if url.endswith("/add/") and response.status_code == 403:
                continue  # an admin that allows no adding
            page = assert_page_obeys_its_csp(response)
            assert page.nonces, url
            checked += 1
    assert checked >= 2 * len(admin.site._registry)  # 52 pages with the TWG records (20 admins)


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-of-sufficient-length-and-randomness-4f8e2c9a7b1d6e3f",
    "ALLOWED_HOSTS": "twg.example.org",
    "SECURE_HTTPS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}

# Run in a fresh interpreter, so the settings are read from the environment exactly as in production.
PRODUCTION_REQUESTS = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
client = Client(HTTP_HOST="twg.example.org")
plain = client.get("/about/")
page = client.get("/about/", secure=True)
login = client.post(
    "/admin/login/?next=/admin/", {"username": "headcheck", "password": "headcheck-pass-19"}, secure=True
)
def cookie(response, name):
    morsel = response.cookies[name]
    return {key: morsel[key] for key in ("secure", "httponly", "samesite")}
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "status": page.status_code,
    "headers": dict(page.headers),
    "csrf_cookie": cookie(page, "csrftoken"),
    "login": [login.status_code, login.get("Location")],
    "session_cookie": cookie(login, "sessionid"),
}))
"""


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
def test_production_settings_send_hsts_nosniff_referrer_policy_and_secure_cookies(django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # what production verifies
    django_user_model.objects.create_user("headcheck", password="headcheck-pass-19", is_staff=True)
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}}
    database = connection.settings_dict
    env.update(PRODUCTION)
    env.update(
        DJANGO_SETTINGS_MODULE="twg_portal.settings",
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    )
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_REQUESTS], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["plain"] == [301, "https://twg.example.org/about/"]
    assert seen["status"] == 200
    headers = seen["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    # The nonce is only added when the page used it; this one has no inline script or style.
    assert "; script-src 'self'; style-src 'self';" in headers["Content-Security-Policy"]

    assert seen["csrf_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert seen["login"] == [302, "/admin/"]
    assert seen["session_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}


def test_the_page_checker_finds_what_the_policy_would_block():
    page = InlineCode()
    page.feed(
        '<script>alert(1)</script><script nonce="n1">ok()</script><script src="/static/a.js"></script>'
        '<style>p{}</style><p style="color:red" onclick="x()"><a href="javascript:x()">x</a></p>'
        '<script type="application/json" id="data">{"a": 1}</script>'
    )
    assert page.un_nonced_inline == ["<script>alert(1)", "<style>p{}"]
    assert page.blocked_attributes == [
        "<p style='color:red'>",
        "<p onclick='x()'>",
        "<a href='javascript:x()'>",
    ]
    assert page.nonces == ["n1"]
