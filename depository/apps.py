from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DepositoryConfig(AppConfig):
    name = "depository"
    verbose_name = _("Depository")

    def ready(self):
        from core import protocols
        from depository.oai.views import protocol_error

        protocols.register("/oai/", protocol_error)  # a refused request still gets OAI-PMH XML
