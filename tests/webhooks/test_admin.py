"""Admin: staff register an endpoint (its secret never shown again), see it disabled, and
read the delivery log with status codes, attempts and latency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from streams.webhooks.models import WebhookCursor, WebhookDelivery, WebhookEndpoint
from tests.webhooks.conftest import SECRET

pytestmark = pytest.mark.django_db


def test_staff_add_an_endpoint_and_its_secret_is_never_shown_again(
    admin_client: Client, make_fixture: Callable[..., Any]
) -> None:
    fixture = make_fixture()
    response = admin_client.post(
        reverse("admin:streams_webhookendpoint_add"),
        {
            "url": "https://hooks.example.com/dde",
            "new_secret": SECRET,
            "description": "trading",
            "events": ["goal", "correction"],
            "fixtures": [str(fixture.id)],
            "enabled": "on",
            "cursors-TOTAL_FORMS": "0",
            "cursors-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.secret, endpoint.events) == (SECRET, ["goal", "correction"])
    assert list(endpoint.fixtures.all()) == [fixture]
    page = admin_client.get(reverse("admin:streams_webhookendpoint_change", args=[endpoint.pk]))
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    listing = admin_client.get(reverse("admin:streams_webhookendpoint_changelist"))
    assert SECRET not in listing.content.decode()


def test_a_disabled_endpoint_and_its_deliveries_are_shown_and_it_can_be_enabled_again(
    admin_client: Client, make_fixture: Callable[..., Any]
) -> None:
    fixture = make_fixture()
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.com/dde",
        secret=SECRET,
        events=["all"],
        enabled=False,
        disabled_at=timezone.now(),
        disabled_reason="failing since yesterday",
    )
    WebhookCursor.objects.create(endpoint=endpoint, fixture=fixture, attempts=9)
    WebhookDelivery.objects.create(
        endpoint=endpoint, fixture_id=fixture.id, position=0, events=["goal"], attempt=9,
        status_code=503, error="HTTP 503", latency_ms=12.5, at=timezone.now(),
    )  # fmt: skip
    listing = admin_client.get(reverse("admin:streams_webhookendpoint_changelist"))
    assert "failing since yesterday" in listing.content.decode()
    log = admin_client.get(reverse("admin:streams_webhookdelivery_changelist")).content.decode()
    assert "503" in log and "12.5" in log
    admin_client.post(
        reverse("admin:streams_webhookendpoint_changelist"),
        {"action": "enable", "_selected_action": [str(endpoint.pk)]},
    )
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_reason == ""
    assert WebhookCursor.objects.get(endpoint=endpoint).attempts == 0
