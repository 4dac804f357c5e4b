from django.apps import AppConfig


class EpurseConfig(AppConfig):
    name = "epurse"
    verbose_name = "ePurse project"
