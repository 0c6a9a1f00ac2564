"""Celery tasks: thin wrappers that take ids and call the listener or dispatch verbs."""

from __future__ import annotations

import uuid
from typing import Any

from celery import shared_task
from celery.signals import worker_shutting_down
from django.conf import settings
from django.db import connection

from streams.feed import dispatch, listener
from streams.ops import health
from streams.reconcile.service import reconcile
from streams.webhooks import delivery as webhook_delivery
from streams.webhooks import enqueue_delivery


def enqueue_listener(fixture_id: uuid.UUID) -> None:
    # Expiring with the next tick keeps a backlog of stale duplicates from piling up
    # while no worker runs; the dispatcher sends a fresh one if still needed.
    follow_fixture.apply_async(
        args=(str(fixture_id),), expires=max(settings.DISPATCH_INTERVAL_SECONDS * 2, 10)
    )


@shared_task(name="streams.tasks.follow_fixture", ignore_result=True)
def follow_fixture(fixture_id: str) -> str:
    """Follow one fixture until it finishes; exits at once when someone else follows it.
    A finished feed is reconciled with the vendor's post-match list (docs/operations.md)."""
    outcome = listener.follow(uuid.UUID(fixture_id))
    if outcome is listener.Outcome.FINISHED:
        enqueue_reconcile(uuid.UUID(fixture_id))
    return outcome.value


def enqueue_reconcile(fixture_id: uuid.UUID) -> None:
    # Later, not now: the vendor's list may take a moment to hold the last packets.
    reconcile_fixture.apply_async(
        args=(str(fixture_id),), countdown=settings.RECONCILE_DELAY_SECONDS
    )


@shared_task(name="streams.tasks.reconcile_fixture", ignore_result=True)
def reconcile_fixture(fixture_id: str, trigger: str = "finished") -> str:
    """Compare a finished fixture's log with the vendor's post-match actions list."""
    return reconcile(uuid.UUID(fixture_id), trigger=trigger)[0].status


@shared_task(name="streams.tasks.dispatch_listeners", ignore_result=True)
def dispatch_listeners() -> int:
    """Beat, every few seconds: start a listener for every due fixture nobody follows."""
    health.record_beat_tick()
    return len(dispatch.dispatch_due(enqueue=enqueue_listener))


@shared_task(name="streams.tasks.replay_fixture", ignore_result=True)
def replay_fixture(fixture_id: str) -> bool:
    return dispatch.replay_from_start(uuid.UUID(fixture_id), enqueue=enqueue_listener)


@shared_task(name="streams.tasks.deliver_webhooks", ignore_result=True)
def deliver_webhooks(endpoint_id: int, fixture_id: str, retry: bool = False) -> str:
    """Post one endpoint's wanted packets of one fixture, in order (streams/webhooks/)."""
    try:
        outcome = webhook_delivery.deliver(
            endpoint_id, uuid.UUID(fixture_id), enqueue=enqueue_delivery, retry=retry
        )
    finally:
        connection.close()  # back to the pool: the worker's listeners share it
    return outcome.value


@shared_task(name="streams.tasks.sweep_webhooks", ignore_result=True)
def sweep_webhooks() -> int:
    """Beat: deliveries due and not in flight (the net under the listener's nudge)."""
    try:
        return webhook_delivery.sweep(enqueue_delivery)
    finally:
        connection.close()


@worker_shutting_down.connect
def _let_go_of_fixtures(**_: Any) -> None:
    # Warm shutdown waits for running tasks; listeners would otherwise run until full time.
    listener.stop_all_listeners()


@shared_task(name="streams.tasks.sync_fixtures", ignore_result=True)
def sync_fixtures(reach: str = "near") -> int:
    """Beat: fixtures from the vendor's Fixtures API (``streams.feed.sync``); how many saved."""
    from streams.feed import sync

    return sync.sync_fixtures("far" if reach == "far" else "near").saved
