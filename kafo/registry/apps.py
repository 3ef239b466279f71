from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "kafo.registry"
    label = "registry"
