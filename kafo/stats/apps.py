from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "kafo.stats"
    label = "stats"
