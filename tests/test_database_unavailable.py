"""When the database cannot be reached, pages answer 503 at once with a short page, not a 500."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError
from django.test import Client
from django.urls import path

from twg_portal import urls as project_urls

BASE_DIR = Path(__file__).resolve().parent.parent


def connection_lost(request):
    raise InterfaceError("connection already closed")


def server_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


def broken_query(request):
    raise IntegrityError("duplicate key value violates unique constraint")


urlpatterns = [
    path("lost/", connection_lost),
    path("gone/", server_gone),
    path("broken/", broken_query),
    *project_urls.urlpatterns,
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/lost/", "/gone/"])
def test_a_lost_connection_answers_503_with_a_short_page(url):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert "The portal is temporarily unavailable" in response.text
    assert "Content-Security-Policy" in response


@pytest.mark.urls(__name__)
def test_other_database_errors_stay_server_errors():
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500


@pytest.mark.servers
def test_pages_answer_503_within_seconds_when_the_server_is_unreachable():
    # A real unreachable server: nothing listens on port 1. A fresh interpreter, so the test
    # database connection of this process is left alone.
    script = (
        "import django, time; django.setup()\n"
        "from django.test import Client\n"
        "client = Client()\n"
        "for url in ['/', '/depository/', '/depository/any-entry/', '/meetings/', '/about/']:\n"
        "    started = time.monotonic()\n"
        "    response = client.get(url)\n"
        "    print(url, response.status_code, round(time.monotonic() - started, 2),"
        " 'temporarily unavailable' in response.text)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "twg_portal.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/twg_portal_absent",
        "ALLOWED_HOSTS": "testserver",
    }
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.strip().splitlines()]
    assert len(lines) == 5
    for url, status, seconds, shown in lines[:-1]:
        assert (status, shown) == ("503", "True"), url
        assert float(seconds) < 2, url
    assert lines[-1][:2] == ["/about/", "200"]  # a page that needs no database still serves
    assert time.monotonic() - started < 30
