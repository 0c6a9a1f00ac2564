"""/livez for a load balancer's checks, /healthz for operators and monitors, /metrics for
Prometheus (behind a token)."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from streams.ops import exposition, health


@require_GET
@never_cache
async def livez(request: HttpRequest) -> JsonResponse:
    """200 whenever this process answers at all: it reads neither Postgres nor Redis. What a
    balancer checks each web host by: /healthz fails on every host at once while Postgres
    or Redis fails over, and a TCP check passes on a frozen host, whose kernel still
    completes the handshakes (docs/operations.md, "Several web hosts")."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
async def healthz(request: HttpRequest) -> JsonResponse:
    """200 with every part's state when all is well; 503 naming the failing parts."""
    report = await health.report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text for the whole cluster; needs ``Authorization: Bearer METRICS_TOKEN``."""
    if not settings.METRICS_TOKEN:
        return HttpResponse("Set METRICS_TOKEN to enable /metrics.\n", status=403)
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(sent.encode(), settings.METRICS_TOKEN.encode()):
        response = HttpResponse("A valid bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition.render(), content_type=CONTENT_TYPE_LATEST)
