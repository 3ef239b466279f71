from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "kafo.portal"
    label = "portal"
