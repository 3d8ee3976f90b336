"""Issue 24, part 1: members' expertise profiles and the members-only directory, faceted with the
depository's own facet declarations (docs/network.md). Through the real views on PostgreSQL."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from network.models import Profile
from people.models import Disclosure, Organization
from tests.depository_helpers import make_entry, theme
from tests.members_helpers import client_for
from tests.network_helpers import make_profile, member_with_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(db):
    """Four profiles: a public one, a members-only one, an organizers-only one, a hidden one."""
    theme("youth-violence")
    theme("post-conflict", parent="youth-violence")
    lab = Organization.objects.create(name="Beirut Urban Lab", slug="beirut-urban-lab")
    return {
        "pia": member_with_profile(
            "pia",
            "Pia Public",
            organization=lab,
            role="Researcher",
            themes=["youth-violence"],
            city_types=["post-conflict-city"],
            cities=["beirut"],
            languages=["en", "ar"],
            about="Youth <b>violence</b> in Beirut",
        ),
        "mo": member_with_profile(
            "mo", "Mo Membersonly", disclosure=Disclosure.MEMBERS, themes=["post-conflict"], languages=["fr"]
        ),
        "oz": member_with_profile(
            "oz", "Oz Organizersonly", disclosure=Disclosure.ORGANIZERS, themes=["youth-violence"]
        ),
        "hal": member_with_profile("hal", "Hal Hidden", themes=["youth-violence"], is_hidden=True),
    }


def page(client, query=""):
    response = client.get(reverse("network:directory") + query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def count_of(html, facet, value):
    """The count printed beside a facet value (the depository's {% facet_values %} markup)."""
    match = re.search(rf'name="{facet}" value="{value}"[^>]*> [^<]* <span class="facet__count">\((\d+)\)', html)
    return int(match.group(1)) if match else None


def test_members_find_public_and_members_only_people_never_organizers_only_or_hidden(network, member):
    html = page(client_for(member.user))
    assert "Pia Public" in html and "Mo Membersonly" in html
    assert "Oz Organizersonly" not in html and "Hal Hidden" not in html
    assert "2 people" in html
    # The free text is escaped.
    assert "Youth &lt;b&gt;violence&lt;/b&gt; in Beirut" in html


def test_organizers_see_every_profile_hidden_ones_too(network, organizer):
    html = page(client_for(organizer))
    assert all(name in html for name in ("Pia Public", "Mo Membersonly", "Oz Organizersonly", "Hal Hidden"))
    assert "hidden profile" in html


def test_visitors_are_sent_to_log_in_and_non_members_refused(network, django_user_model):
    response = Client().get(reverse("network:directory"))
    assert response.status_code == 302 and reverse("members:login") in response["Location"]
    stranger = django_user_model.objects.create_user("stranger", password="x")
    assert client_for(stranger).get(reverse("network:directory")).status_code == 403


def test_a_facet_filters_and_counts_like_the_depository(network, member):
    client = client_for(member.user)
    html = page(client)
    # A parent theme counts its sub-themes' people, as the depository's theme facet does.
    assert count_of(html, "theme", "youth-violence") == 2
    assert count_of(html, "theme", "post-conflict") == 1
    assert count_of(html, "language", "fr") == 1
    html = page(client, "?theme=post-conflict")
    assert "Mo Membersonly" in html and "Pia Public" not in html
    # Disjunctive: the theme facet's own counts ignore the theme filter; the others apply it.
    assert count_of(html, "theme", "youth-violence") == 2
    assert count_of(html, "language", "en") == 0
    html = page(client, "?city=beirut&language=ar")
    assert "Pia Public" in html and "1 person" in html


def test_a_malformed_parameter_is_a_400_saying_why(network, member):
    response = client_for(member.user).get(reverse("network:directory") + "?theme=<script>")
    assert response.status_code == 400
    assert "is not a valid value" in response.content.decode()
    response = client_for(member.user).get(reverse("network:directory") + "?language=xx")
    assert response.status_code == 400


def test_htmx_gets_only_the_results(network, member):
    response = client_for(member.user).get(
        reverse("network:directory") + "?theme=youth-violence", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"') and "<html" not in html


@pytest.mark.parametrize("people", [1, 6])
def test_the_directory_costs_the_same_whatever_the_number_of_people(people, member, django_assert_num_queries):
    for number in range(people):
        member_with_profile(
            f"p{number}", f"Person {number}", themes=["youth-violence"], cities=[f"city-{number}"], languages=["en"]
        )
    client = client_for(member.user)
    # 1-3 the session, the user, the viewer's member account (a member, not staff: no group query);
    # 4-5 the page's count and its profiles (member, person, organization, user joined);
    # 6-9 their themes, city types, violence types and cities (one prefetch each);
    # 10-14 the five facets, one statement each (a correlated count per term; the languages' counts
    # in one aggregate); 15 whether the viewer has a profile (the "fill in your profile" notice).
    with django_assert_num_queries(15):
        html = page(client, "?theme=youth-violence")
    assert f"{people} {'person' if people == 1 else 'people'}" in html


def test_a_member_fills_their_profile(member, second_member):
    theme("youth-violence")
    lab = Organization.objects.create(name="Beirut Urban Lab", slug="beirut-urban-lab")
    client = client_for(member.user)
    assert client.get(reverse("network:profile")).status_code == 200
    from depository.models import Theme
    from tests.depository_helpers import city

    response = client.post(
        reverse("network:profile"),
        {
            "organization": lab.pk,
            "role": "Urban safety adviser",
            "cities": [city("bogota").pk],
            "languages": ["es", "en"],
            "themes": [Theme.objects.get(slug="youth-violence").pk],
            "about": "Prevention\x0b work <i>with</i> youth",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get(member=member)
    assert profile.about == "Prevention work <i>with</i> youth"  # cleaned of what XML forbids, kept as text
    assert sorted(profile.languages) == ["en", "es"]
    member.refresh_from_db()
    assert member.organization == lab
    html = page(client_for(second_member.user), "?theme=youth-violence")
    assert "Amina Diallo" in html and "Urban safety adviser" in html and "Beirut Urban Lab" in html
    assert "with&lt;/i&gt; youth" in html or "&lt;i&gt;with&lt;/i&gt; youth" in html


def test_the_profile_text_is_bounded(member):
    response = client_for(member.user).post(reverse("network:profile"), {"about": "x" * 601})
    assert response.status_code == 400
    assert not Profile.objects.exists()


def test_hiding_a_profile_lists_it_nowhere_but_to_organizers(network, member, organizer):
    profile = make_profile(member, themes=["youth-violence"])
    profile.is_hidden = True
    profile.save()
    others = client_for(network["pia"].user)
    assert "Amina Diallo" not in page(others)
    assert "Amina Diallo" not in others.get(reverse("network:people") + "?theme=youth-violence").content.decode()
    assert "Amina Diallo" in page(client_for(organizer))


def test_the_people_panel_of_an_entry_and_a_theme(network, member, organizer):
    entry = make_entry("Youth and the city", themes=["post-conflict"])
    url = reverse("network:people") + "?theme=post-conflict"
    html = client_for(member.user).get(url).content.decode()
    assert "People in the network who work on this" in html
    assert "Mo Membersonly" in html and "Pia Public" not in html
    # The entry page and the browse page filtered by a theme load it for signed-in users only.
    entry_page = client_for(member.user).get(entry.get_absolute_url()).content.decode()
    assert reverse("network:people") + "?theme=post-conflict" in entry_page
    assert reverse("network:people") not in Client().get(entry.get_absolute_url()).content.decode()
    browse = client_for(member.user).get(reverse("depository:browse") + "?theme=youth-violence").content.decode()
    assert reverse("network:people") + "?theme=youth-violence" in browse
    # A parent theme's panel lists its sub-themes' people; organizers see organizers-only people too.
    html = client_for(organizer).get(reverse("network:people") + "?theme=youth-violence").content.decode()
    assert "Oz Organizersonly" in html and "Mo Membersonly" in html


def test_the_city_page_lists_its_people_to_members_only(network, member):
    url = reverse("places:city", args=["beirut"])
    html = client_for(member.user).get(url).content.decode()
    assert "People in the network who work on this" in html and "Pia Public" in html
    html = Client().get(url).content.decode()
    assert "People in the network" not in html and "Pia Public" not in html
