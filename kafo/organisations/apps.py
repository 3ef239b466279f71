from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "kafo.organisations"
    label = "organisations"
