"""Start-up guard: a misconfiguration ends start-up with its one sentence, not a traceback."""

from __future__ import annotations

import importlib
import os
import sys

from django.core.exceptions import ImproperlyConfigured


def check_settings() -> None:
    """Import the settings now and exit with the settings' own sentence if they refuse."""
    try:
        importlib.import_module(os.environ.get("DJANGO_SETTINGS_MODULE", "dde_site.settings"))
    except ImproperlyConfigured as exc:
        sys.exit(f"Configuration error: {exc}")
