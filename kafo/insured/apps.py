from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuredConfig(AppConfig):
    """The insured person's own space: their career, their pension simulation, their claims."""

    name = "kafo.insured"
    label = "insured"
    verbose_name = _("Espace assuré")
