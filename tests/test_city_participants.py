"""A city's page lists the organizations and participants the meetings' lists place there, and every
city of the records has a place on the map (issue 22, finding 9), with the TWG's records loaded."""

import re

import pytest
from django.urls import reverse

from places.models import City

pytestmark = pytest.mark.django_db


def section(html, heading_id):
    match = re.search(rf'<h2 id="{heading_id}">.*?</ul>', html, re.S)
    return match[0]


def test_bogota_lists_ideaborn_and_the_second_meeting_s_participants_from_bogota(client, twg_records):
    html = client.get(reverse("places:city", args=["bogota"])).content.decode()
    organizations = section(html, "organizations")
    assert ">Ideaborn Foundation</a>" in organizations
    participants = section(html, "participants")
    for name in ["Ana Teresa Bernal", "Nathalie Gendre", "Jaume Guardans", "Anja Heuft", "Elis Schmeer"]:
        assert name in participants
    assert "None recorded." not in organizations + participants
    assert participants.count("2nd meeting of the Technical Working Group") == 5


def test_a_participant_is_placed_where_that_meeting_s_list_places_them(client, twg_records):
    """Jaume Guardans came from Barcelona to the inception meeting, from Bogotá to the 2nd."""
    barcelona = section(client.get(reverse("places:city", args=["barcelona"])).content.decode(), "participants")
    assert "Jaume Guardans" in barcelona and "Inception meeting" in barcelona
    assert "2nd meeting" not in barcelona


def test_every_city_of_the_records_but_the_ambiguous_one_has_coordinates(twg_records):
    unplaced = City.objects.filter(latitude__isnull=True).values_list("slug", flat=True)
    assert list(unplaced) == ["cambridge"]  # the reports do not say which Cambridge
    quezon, san_fernando = City.objects.get(slug="quezon"), City.objects.get(slug="san-fernando")
    assert quezon.coordinates_source == "GeoNames 1692192 (Quezon City)"
    assert san_fernando.country == "Philippines" and san_fernando.latitude is not None
