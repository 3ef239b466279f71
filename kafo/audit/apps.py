from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kafo.audit"
    label = "audit"
