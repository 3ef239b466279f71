from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "kafo.portal"
    label = "portal"
    verbose_name = _("Portail")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from kafo.http_security import on_login

        # The session lifetime starts at login (kafo/http_security.py).
        user_logged_in.connect(on_login, dispatch_uid="kafo-session-clock")
