from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dspt.audit"
    label = "audit"
