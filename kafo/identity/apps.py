from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "kafo.identity"
    label = "identity"
