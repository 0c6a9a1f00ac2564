"""The staff page of the corrections audit (admin look, staff only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from streams.api.corrections import csv_response, filename, parse_query
from streams.reconcile.corrections import KINDS, Correction, corrections

DEFAULT_DAYS = 7


@staff_member_required
def corrections_page(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    for name in ("kind", "fixture", "format"):
        if not params.get(name):
            params.pop(name, None)
    today = timezone.now().date()
    shown = {
        "from": params.get("from", (today - dt.timedelta(days=DEFAULT_DAYS)).isoformat()),
        "to": params.get("to", today.isoformat()),
        "kind": params.get("kind", ""),
        "fixture": params.get("fixture", ""),
    }
    params.setdefault("from", shown["from"])
    params.setdefault("to", shown["to"])
    found: list[Correction] | None = None
    errors: Any = {}
    try:
        query = parse_query(params)
    except ValidationError as exc:
        errors = exc.detail
    else:
        found = corrections(
            query["date_from"],
            query["date_to"],
            kinds=query["kinds"],
            fixture_id=query["fixture_id"],
        )
        if query["format"] == "csv":
            return csv_response(found, filename(query))
    context = {
        **admin.site.each_context(request),
        "title": "Corrections",
        "query": shown,
        "kinds": KINDS,
        "found": found,
        "errors": errors,
    }
    return TemplateResponse(request, "admin/streams/corrections/index.html", context)
