from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "kafo.exchange"
    label = "exchange"
    verbose_name = _("Échanges entre organismes")

    def ready(self):
        # A coordinated claim's decision goes back to the other organisations (benefits emits
        # the signal; it may not import exchange, a later app).
        try:
            from kafo.benefits.signals import claim_decided
        except ImportError:  # the signal lands with issue 15's benefits part
            return
        from .services import on_claim_decided

        claim_decided.connect(on_claim_decided, dispatch_uid="exchange-decision-send")
