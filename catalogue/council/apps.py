from django.apps import AppConfig


class CouncilCatalogueConfig(AppConfig):
    name = "catalogue.council"
    label = "catalogue_council"
    verbose_name = "Council catalogue"
