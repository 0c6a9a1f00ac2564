"""``/favicon.ico``: browsers ask for it at that path whatever the pages' <link rel=icon> says."""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

ICON = Path(settings.BASE_DIR) / "static" / "streams" / "favicon.svg"
# A year: the icon changes about never, and a stale one costs nothing.
CACHE_CONTROL = "public, max-age=31536000"


@functools.cache
def _icon() -> bytes:
    return ICON.read_bytes()


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    # The SVG itself, by its own type: every current browser takes an SVG at this path.
    response = HttpResponse(_icon(), content_type="image/svg+xml")
    response["Cache-Control"] = CACHE_CONTROL
    return response
