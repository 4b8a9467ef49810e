from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "dspt.home"
    verbose_name = "Home pages"
