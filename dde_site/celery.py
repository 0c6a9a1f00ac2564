"""The Celery application; configuration comes from Django settings (CELERY_* names)."""

import gc
import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dde_site.settings")

app = Celery("dde_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _keep_project_logging(**_: Any) -> None:
    """Django's settings already set up logging (structlog, LOG_LEVEL, LOG_JSON); with a
    receiver here Celery leaves it alone instead of replacing it with its own format."""


@worker_ready.connect
def _freeze_startup_objects(**_: Any) -> None:
    """Keep what the worker loaded at start-up out of the collector's full passes (about
    100 ms each, which would land in a listener's receive-to-commit time); see asgi.py."""
    gc.freeze()
