from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top floor (docs/architecture.md): pages and interfaces that read across apps (the home
    page, city pages and the map, the JSON API, the sitemap, the admin's start page, the records)."""

    name = "portal"
    verbose_name = _("TWG Portal")

    def ready(self):
        from core import protocols
        from portal.api import protocol_error

        protocols.register("/api/", protocol_error)  # errors outside the API's views in its JSON


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the portal's site (portal/admin_site.py) as the default `admin.site`."""

    default = False
    default_site = "portal.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()  # registers every app's admin
        self.module.site.add_attention_filters()
