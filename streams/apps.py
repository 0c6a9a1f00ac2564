"""App configuration for the streams app."""

from django.apps import AppConfig


class StreamsConfig(AppConfig):
    name = "streams"
    verbose_name = "DDE live actions"
    default_auto_field = "django.db.models.BigAutoField"
