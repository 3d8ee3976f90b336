"""Issue 13, finding 7: a URL that answers a fragment to htmx and a page otherwise says `Vary: HX-Request`,
on both answers, or a shared cache could give a visitor the bare fragment (or htmx the whole page)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.cache import has_vary_header

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("params", [{}, {"q": "crime"}, {"theme": "no-such-theme"}], ids=["all", "search", "bad"])
def test_browse_varies_on_hx_request_for_the_page_and_the_fragment(client, params):
    page = client.get(reverse("depository:browse"), params)
    fragment = client.get(reverse("depository:browse"), params, headers={"HX-Request": "true"})
    assert "<html" in page.text and "<html" not in fragment.text
    for response in (page, fragment):
        assert has_vary_header(response, "HX-Request"), response.get("Vary")


def test_every_view_that_reads_hx_request_is_one_of_those_checked_here():
    """The kind: a new view answering htmx differently must join the test above (and vary)."""
    readers = sorted(
        str(path.relative_to(settings.BASE_DIR))
        for app in ("core", "places", "people", "depository", "meetings", "members", "alerts", "usage", "portal")
        for path in (settings.BASE_DIR / app).rglob("*.py")
        if "HX-Request" in path.read_text() or "HTTP_HX_REQUEST" in path.read_text()
    )
    assert readers == ["depository/views/browse.py"]
    for reader in readers:
        assert 'vary_on_headers("HX-Request")' in Path(settings.BASE_DIR / reader).read_text()
