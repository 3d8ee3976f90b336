from django.apps import AppConfig
from django.core.signals import setting_changed
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DepositoryConfig(AppConfig):
    name = "depository"
    verbose_name = _("Depository")

    def ready(self):
        from depository import exports
        from depository.search import facet_values

        # The facet rows' terms follow the facet registry (depository/search/facet_values.py).
        post_migrate.connect(facet_values.install_after_migrate, sender=self)
        setting_changed.connect(facet_values.registry_changed)
        setting_changed.connect(exports.registry_changed)

        from core import protocols
        from depository.oai.views import protocol_error

        protocols.register("/oai/", protocol_error)  # a refused request still gets OAI-PMH XML
