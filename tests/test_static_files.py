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
