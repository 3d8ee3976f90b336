"""A saved search longer than its column is refused with a message, never a 500 (issue 22, finding 4c):
200 CJK characters and all 16 themes, through the real views, for a member and for a visitor."""

from urllib.parse import urlencode

import pytest
from django.core import mail
from django.urls import reverse

from alerts import services
from alerts.models import SavedSearch
from tests.depository_helpers import theme

pytestmark = pytest.mark.django_db

CJK_QUERY = "城市安全与和平建设" * 22 + "城市"  # 200 characters: 1,800 once percent-encoded
TOO_LONG = "too long to be saved as an alert"


@pytest.fixture
def all_themes():
    return [theme(f"urban-safety-theme-{number:02d}").slug for number in range(16)]


def subscribe_url(query, themes):
    return reverse("alerts:subscribe") + "?" + urlencode({"q": query, "theme": themes}, doseq=True)


def test_a_member_is_told_instead_of_a_500(member_client, all_themes):
    url = subscribe_url(CJK_QUERY, all_themes)
    page = member_client.get(url)
    assert page.status_code == 400 and TOO_LONG in page.content.decode()
    response = member_client.post(url, {"frequency": "weekly"})
    assert response.status_code == 400 and TOO_LONG in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_a_visitor_is_told_before_any_mail(client, all_themes):
    response = client.post(subscribe_url(CJK_QUERY, all_themes), {"frequency": "weekly", "email": "v@example.org"})
    assert response.status_code == 400 and TOO_LONG in response.content.decode()
    assert mail.outbox == []


def test_a_confirmation_link_with_a_search_too_long_is_refused_not_a_500(client, all_themes):
    # A link mailed before the check: its token carries the long search.
    long_search = urlencode({"q": CJK_QUERY, "theme": all_themes}, doseq=True)
    services.request_confirmation(email="v@example.org", query_string=long_search, frequency="weekly", language="en")
    link = next(line for line in mail.outbox[0].body.split() if "/alerts/confirm/" in line)
    path = link[link.index("/alerts/confirm/") :]
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400 and TOO_LONG in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_a_long_search_that_fits_is_saved(member_client, all_themes):
    response = member_client.post(subscribe_url(CJK_QUERY[:150], all_themes[:4]), {"frequency": "weekly"})
    assert response.status_code == 302
    assert len(SavedSearch.objects.get().query_string) > 1350
