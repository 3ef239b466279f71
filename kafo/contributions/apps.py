from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "kafo.contributions"
    label = "contributions"
