from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoluntaryConfig(AppConfig):
    """Voluntary insurance: self-employed, informal workers and the diaspora join and pay."""

    name = "kafo.voluntary"
    label = "voluntary"
    verbose_name = _("Assurance volontaire")
