"""How an endpoint is named where anyone may read it (/healthz, logs): never its secret,
and its URL without user info or query, which can carry a receiver's own token."""

from __future__ import annotations

from urllib.parse import urlsplit

from streams.webhooks.models import WebhookEndpoint


def endpoint_name(endpoint: WebhookEndpoint) -> str:
    parts = urlsplit(endpoint.url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    where = f"{parts.scheme}://{host}{parts.path}"
    return (
        f"#{endpoint.pk} {endpoint.description} ({where})"
        if endpoint.description
        else (f"#{endpoint.pk} {where}")
    )
