"""A range of years on the depository, its feed, alerts and the API (issue 22, finding 9: `?year_from=`
was ignored). The range becomes a choice of the year facet's values, so counts follow it too."""

import feedparser
import pytest
from django.urls import reverse

from alerts.services import describe_search
from tests.depository_helpers import make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def works(db):
    return {year: make_entry(f"A work of {year}", year=year, slug=f"work-{year}") for year in (2002, 2010, 2014, 2019)}


def titles(response):
    return [entry.title for entry in response.context["results"].page.object_list]


def test_the_browse_page_keeps_the_works_of_the_range(client, works):
    response = client.get(reverse("depository:browse"), {"year_from": "2005", "year_to": "2015"})
    assert response.status_code == 200
    assert sorted(titles(response)) == ["A work of 2010", "A work of 2014"]
    assert response.context["results"].count == 2
    page = response.content.decode()
    assert 'name="year_from"' in page and 'value="2005"' in page and 'value="2015"' in page
    assert "From year: 2005" in page and "Until year: 2015" in page  # the chips, each with its removal link


def test_an_open_ended_range(client, works):
    assert sorted(titles(client.get(reverse("depository:browse"), {"year_from": "2012"}))) == [
        "A work of 2014",
        "A work of 2019",
    ]
    assert sorted(titles(client.get(reverse("depository:browse"), {"year_to": "2010"}))) == [
        "A work of 2002",
        "A work of 2010",
    ]


def test_chosen_years_outside_the_range_match_nothing(client, works):
    inside = client.get(
        reverse("depository:browse"), {"year": ["2010", "2019"], "year_from": "2005", "year_to": "2015"}
    )
    assert titles(inside) == ["A work of 2010"]
    outside = client.get(reverse("depository:browse"), {"year": "2019", "year_to": "2015"})
    assert titles(outside) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year_from": "2015", "year_to": "2005"}, "The last year comes before the first."),
        ({"year_from": "twenty"}, "Enter a number."),
        ({"year_to": "99999"}, "less than or equal to 2199"),
    ],
)
def test_a_bad_range_is_a_400_that_says_why(client, works, params, message):
    response = client.get(reverse("depository:browse"), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_feed_and_the_api_take_the_range(client, works):
    feed = feedparser.parse(client.get(reverse("depository:feed"), {"year_from": "2012"}).content)
    assert sorted(item.title for item in feed.entries) == ["A work of 2014", "A work of 2019"]
    api = client.get("/api/entries", {"year_from": "2005", "year_to": "2015"})
    assert api.status_code == 200
    assert sorted(item["title"] for item in api.json()["results"]) == ["A work of 2010", "A work of 2014"]
    assert client.get("/api/entries", {"year_from": "2015", "year_to": "2005"}).status_code == 400


def test_an_alert_describes_and_keeps_the_range(works):
    described = describe_search("year_from=2012")
    assert any("2012" in str(part) for part in described)
