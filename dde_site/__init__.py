"""Project package: settings, ASGI and Celery applications, URL roots."""

from dde_site.celery import app as celery_app

__all__ = ["celery_app"]
