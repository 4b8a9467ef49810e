from django.apps import AppConfig


class CldConfig(AppConfig):
    name = "dspt.cld"
    label = "cld"
