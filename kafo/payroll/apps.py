from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayrollConfig(AppConfig):
    """Benefits in payment and the payroll runs that pay them (bank, mobile money, cash)."""

    name = "kafo.payroll"
    label = "payroll"
    verbose_name = _("Paiement des prestations")
