from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The base floor (docs/architecture.md): what every app builds on, importing none of them."""

    name = "core"
    verbose_name = _("Portal base")

    def ready(self):
        from django.core.signals import request_finished
        from django.db.models.signals import pre_save

        from core.middleware import forget_request_language
        from core.text import clean_model_text

        # The dispatch uid is the one the project package used, so nothing can connect it twice.
        pre_save.connect(clean_model_text, dispatch_uid="twg_portal.clean_model_text")
        request_finished.connect(forget_request_language, dispatch_uid="core.forget_request_language")
