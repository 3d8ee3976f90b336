from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsageConfig(AppConfig):
    """Use statistics without personal data (docs/privacy.md): views and downloads per entry per month."""

    name = "usage"
    verbose_name = _("Use statistics")
