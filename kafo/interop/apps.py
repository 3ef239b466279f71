from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    """Interoperability by the SPDCI standards: partners, the registry API, notifications to
    subscribers and the civil-registry (CRVS) client."""

    name = "kafo.interop"
    label = "interop"
    verbose_name = _("Interopérabilité")
