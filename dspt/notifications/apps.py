from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "dspt.notifications"
    verbose_name = "Notifications"
