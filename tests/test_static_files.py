"""Static files travel compressed and are cached for good under content-hashed names (whitenoise)."""

import pytest
from django.templatetags.static import static

# Static requests touch no table, but the test client's request signals check the (persistent,
# CONN_HEALTH_CHECKS) connection left by earlier tests, which needs database access.
pytestmark = pytest.mark.django_db


@pytest.fixture
def stylesheet_url():
    url = static("css/portal.css")
    assert url != "/static/css/portal.css", "collectstatic's manifest gives the stylesheet a content-hashed name"
    return url


def fetch(client, url, **headers):
    """GET a static file, read it whole and close it (whitenoise answers with an open file)."""
    response = client.get(url, headers=headers)
    response.body = response.getvalue()
    response.close()
    return response


@pytest.mark.parametrize("accepted", ["gzip", "gzip, deflate, br, zstd"])
def test_stylesheet_is_served_compressed(client, stylesheet_url, accepted):
    # collectstatic writes .gz files (and .br ones too if the Brotli package is installed; it is not).
    response = fetch(client, stylesheet_url, accept_encoding=accepted)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response["Vary"] == "Accept-Encoding"
    assert len(response.body) < len(fetch(client, stylesheet_url).body) / 2


def test_hashed_static_files_are_cached_for_good(client, stylesheet_url):
    response = fetch(client, stylesheet_url)
    assert "immutable" in response["Cache-Control"]
    assert "max-age=315360000" in response["Cache-Control"]


def test_pages_are_compressed_when_the_browser_accepts_gzip(client):
    response = client.get("/about/", headers={"accept-encoding": "gzip, br"})
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    plain = client.get("/about/")
    assert "Content-Encoding" not in plain
    assert int(response["Content-Length"]) < len(plain.content) / 2


@pytest.mark.servers
def test_management_commands_run_before_collectstatic(tmp_path):
    """A fresh clone runs `ensure_database` and `migrate` before `collectstatic` has written the
    manifest: nothing imported by the system checks (URLconf, admin, settings) may look up a
    hashed static name then. CI on a fresh machine failed this way once (the favicon's redirect)."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    empty_static_root = tmp_path / "staticfiles"
    empty_static_root.mkdir()
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "STATIC_ROOT": str(empty_static_root)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "no issues" in result.stdout


def test_the_favicon_is_looked_up_per_request(client, settings, tmp_path):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("img/favicon.svg") != "/static/img/favicon.svg"
