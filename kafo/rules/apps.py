from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "kafo.rules"
    label = "rules"
