from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kafo.accounts"
    label = "accounts"
