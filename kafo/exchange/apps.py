from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "kafo.exchange"
    label = "exchange"
