"""The network in place: the cities index, a city's page and the map of the network's cities."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from depository.models import CityType, Entry
from meetings.models import Meeting
from meetings.views.network import visible_participations
from network.services import people_working_on, shown_member
from people.models import Organization
from people.privacy import Viewer
from places.countries import country_name
from places.models import City
from places.projection import MAP_HEIGHT, MAP_WIDTH, project


def cities_with_counts():
    """Every city with `entry_count` (published entries about it) and `meeting_count` (meetings held
    there or that its representatives joined), counted in SQL; city types prefetched."""
    return City.objects.prefetch_related(Prefetch("city_types", queryset=CityType.objects.all())).annotate(
        entry_count=Count("entries", filter=Q(entries__status="published"), distinct=True),
        meeting_count=Count("meetings", distinct=True) + Count("meetings_represented_at", distinct=True),
    )


def by_country(cities):
    """[{"country": name in the active language, "cities": [...]}], countries and cities by name; cities
    whose country the records do not give come last under "Country not known"."""
    groups = {}
    for city in cities:
        groups.setdefault(country_name(city.country), []).append(city)
    known = sorted((name for name in groups if name), key=str.casefold)
    ordered = [{"country": name, "cities": groups[name]} for name in known]
    if "" in groups:
        ordered.append({"country": _("Country not known"), "cities": groups[""]})
    return ordered


@require_safe
def city_list(request):
    """The cities index, grouped by country and by city type. Three queries."""
    cities = list(cities_with_counts().order_by("name"))
    city_types = list(CityType.objects.all())
    by_type = [{"city_type": t, "cities": [c for c in cities if t in c.city_types.all()]} for t in city_types]
    return render(
        request,
        "places/city_list.html",
        {
            "countries": by_country(cities),
            "by_type": by_type,
            "untyped": [c for c in cities if not c.city_types.all()],
        },
    )


@require_safe
def city_detail(request, slug):
    """A city: its country and types, entries, meetings held there or joined from there, organizations
    based there and participants from there (as the viewer may see them)."""
    city = get_object_or_404(City.objects.prefetch_related("city_types"), slug=slug)
    today = timezone.localdate()
    viewer = Viewer(request.user)
    # From the city: where the meeting's list places them, or else where their organization is based.
    from_city = Q(city=city) | Q(city__isnull=True, organization__city=city)
    participations = (
        visible_participations(viewer)
        .filter(from_city)
        .select_related("person", "organization", "meeting")
        .order_by("meeting__start_date", "meeting_id", "position", "id")
    )
    return render(
        request,
        "places/city_detail.html",
        {
            "city": city,
            "country": country_name(city.country),
            "entries": Entry.objects.published().filter(cities=city).prefetch_related("themes").order_by("title"),
            "meetings_held": Meeting.objects.filter(city=city).listed(today),
            "meetings_joined": Meeting.objects.filter(other_cities_represented=city).listed(today),
            # Based there, or whose people came from there (Ideaborn's from Bogotá in 2015).
            "organizations": Organization.objects.filter(Q(city=city) | Q(participations__city=city))
            .distinct()
            .order_by("name"),
            "participants": [{"meeting": p.meeting, "shown": viewer.show_participation(p)} for p in participations],
            # Issue 24: members and organizers see who in the network works in this city (two queries).
            "network_people": network_people(viewer, city) if viewer.is_member else None,
        },
    )


def network_people(viewer, city):
    """The profiles `viewer` may see of people who worked in `city`: {"people": [(profile, shown)], "total"}."""
    profiles, total = people_working_on(viewer, cities=[city.pk])
    people = [(profile, shown_member(viewer, profile.member, hidden=profile.is_hidden)) for profile in profiles]
    return {"people": people, "total": total, "query_string": f"city={city.slug}"}


@require_safe
def city_map(request):
    """The network's cities on a world map (server-side SVG over the land outline, a cached static
    file), with the same cities as a list for readers without the picture."""
    cities = list(cities_with_counts().order_by("name"))
    placed = []
    for city in cities:
        if city.has_coordinates:
            x, y = project(float(city.longitude), float(city.latitude))
            # Strings, not numbers: a number would be localized ("352,0" in Arabic), which SVG refuses.
            placed.append(
                {
                    "city": city,
                    "x": f"{x:.1f}",
                    "y": f"{y:.1f}",
                    # 3 map units, one more per entry up to 7: more entries, a larger dot.
                    "r": 3 + min(city.entry_count, 4),
                    "country": country_name(city.country),
                }
            )
    return render(
        request,
        "places/city_map.html",
        {
            "placed": placed,
            "unplaced": [c for c in cities if not c.has_coordinates],
            "width": MAP_WIDTH,
            "height": MAP_HEIGHT,
        },
    )
