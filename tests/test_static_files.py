"""Static files travel compressed and are cached for good under content-hashed names (whitenoise)."""

import pytest
from django.templatetags.static import static


@pytest.fixture
def stylesheet_url():
    url = static("css/portal.css")
    assert url != "/static/css/portal.css", "collectstatic's manifest gives the stylesheet a content-hashed name"
    return url


@pytest.mark.parametrize("accepted", ["gzip", "gzip, deflate, br, zstd"])
def test_stylesheet_is_served_compressed(client, stylesheet_url, accepted):
    # collectstatic writes .gz files (and .br ones too if the Brotli package is installed; it is not).
    response = client.get(stylesheet_url, headers={"accept-encoding": accepted})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response["Vary"] == "Accept-Encoding"
    assert int(response["Content-Length"]) < len(client.get(stylesheet_url).getvalue())


def test_hashed_static_files_are_cached_for_good(client, stylesheet_url):
    response = client.get(stylesheet_url)
    assert "immutable" in response["Cache-Control"]
    assert "max-age=315360000" in response["Cache-Control"]


@pytest.mark.django_db
def test_pages_are_compressed_when_the_browser_accepts_gzip(client):
    response = client.get("/about/", headers={"accept-encoding": "gzip, br"})
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    plain = client.get("/about/")
    assert "Content-Encoding" not in plain
    assert int(response["Content-Length"]) < len(plain.content) / 2
