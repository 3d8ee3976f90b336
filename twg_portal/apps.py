from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwgPortalConfig(AppConfig):
    name = "twg_portal"
    verbose_name = _("TWG Portal")
