from axes import apps as axes_apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kafo.accounts"
    label = "accounts"
    verbose_name = _("Comptes")


class AxesConfig(axes_apps.AppConfig):
    """django-axes (login throttling) under a translated name in the admin (it has none)."""

    default = False  # kafo.accounts itself stays AccountsConfig
    verbose_name = _("Tentatives de connexion")
