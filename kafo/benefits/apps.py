from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "kafo.benefits"
    label = "benefits"
