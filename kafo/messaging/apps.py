from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """Messages to people outside Kafo: SMS (SMPP, HTTP gateways) and e-mail, queued and tracked."""

    name = "kafo.messaging"
    label = "messaging"
    verbose_name = _("Messages (SMS et courriel)")
