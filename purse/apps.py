from django.apps import AppConfig


class PurseConfig(AppConfig):
    name = "purse"
