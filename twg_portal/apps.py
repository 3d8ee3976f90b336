from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class TwgPortalConfig(AppConfig):
    name = "twg_portal"
    verbose_name = _("TWG Portal")

    def ready(self):
        from django.db.models.signals import pre_save

        from twg_portal.text import clean_model_text

        pre_save.connect(clean_model_text, dispatch_uid="twg_portal.clean_model_text")


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the portal's site (twg_portal/admin_site.py) as the default `admin.site`."""

    default = False
    default_site = "twg_portal.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()  # registers every app's admin
        self.module.site.add_attention_filters()
