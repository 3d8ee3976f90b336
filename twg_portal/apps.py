from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwgPortalConfig(AppConfig):
    name = "twg_portal"
    verbose_name = _("TWG Portal")

    def ready(self):
        from django.db.models.signals import pre_save

        from twg_portal.text import clean_model_text

        pre_save.connect(clean_model_text, dispatch_uid="twg_portal.clean_model_text")
