from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "kafo.governance"
    label = "governance"
