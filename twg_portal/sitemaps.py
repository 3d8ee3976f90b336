"""/sitemap.xml: the portal's public pages and every published depository entry."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from depository.sitemaps import DepositoryPagesSitemap, EntrySitemap


class SitePagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["home", "about", "meetings:list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": SitePagesSitemap, "depository": DepositoryPagesSitemap, "entries": EntrySitemap}
