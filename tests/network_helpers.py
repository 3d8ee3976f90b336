"""Helpers shared by the network tests (tests/test_network_*.py)."""

from depository.models import CityType, ViolenceType
from network.models import Profile
from people.models import Disclosure
from tests.conftest import make_member
from tests.depository_helpers import city, term, theme


def make_profile(member, *, themes=(), city_types=(), violence_types=(), cities=(), languages=(), **fields):
    """A profile of `member` with terms named by slug (created on first mention)."""
    profile = Profile.objects.create(member=member, languages=list(languages), **fields)
    profile.themes.set([theme(slug) if isinstance(slug, str) else slug for slug in themes])
    profile.city_types.set([term(CityType, slug) for slug in city_types])
    profile.violence_types.set([term(ViolenceType, slug) for slug in violence_types])
    profile.cities.set([city(slug) for slug in cities])
    return profile


def member_with_profile(username, name, *, disclosure=Disclosure.PUBLIC, organization=None, **profile):
    member = make_member(username, name, organization=organization)
    if disclosure != Disclosure.PUBLIC:
        member.person.disclosure = disclosure
        member.person.save()
    make_profile(member, **profile)
    return member
