"""Sitemap sections of the depository (listed by /sitemap.xml, see twg_portal/urls.py)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from depository.models import Entry


class EntrySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Entry.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, entry):
        return entry.updated_at


class DepositoryPagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["depository:browse", "depository:literature", "depository:typology", "depository:glossary"]

    def location(self, name):
        return reverse(name)
