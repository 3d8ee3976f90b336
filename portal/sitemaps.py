"""/sitemap.xml: the portal's public pages and every published depository entry."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from depository.sitemaps import DepositoryPagesSitemap, EntrySitemap
from meetings.models import Event, Meeting
from people.models import Organization
from places.models import City


class SitePagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "home",
            "about",
            "meetings:list",
            "meetings:workplan",
            "meetings:organizations",
            "places:cities",
            "places:map",
        ]

    def location(self, name):
        return reverse(name)


class ModelSitemap(Sitemap):
    """Every object of `model` (its get_absolute_url), in primary-key order."""

    changefreq = "monthly"
    model = None

    def items(self):
        return self.model.objects.order_by("pk")


class MeetingSitemap(ModelSitemap):
    model = Meeting


class EventSitemap(ModelSitemap):
    model = Event


class OrganizationSitemap(ModelSitemap):
    model = Organization


class CitySitemap(ModelSitemap):
    model = City


SITEMAPS = {
    "pages": SitePagesSitemap,
    "depository": DepositoryPagesSitemap,
    "entries": EntrySitemap,
    "meetings": MeetingSitemap,
    "events": EventSitemap,
    "organizations": OrganizationSitemap,
    "cities": CitySitemap,
}
