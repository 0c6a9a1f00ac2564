"""Signed webhooks: the packet log is the outbox, each endpoint keeps a cursor per fixture.

``events`` says which kinds of event a stored packet is (from what its action means),
``signing`` signs a body, ``delivery`` posts a fixture's packets to an endpoint in order
and retries with backoff, ``models`` holds endpoints, cursors and the delivery log.
"""

from __future__ import annotations

import uuid

import structlog

_log = structlog.get_logger(__name__)


def enqueue_delivery(endpoint_id: int, fixture_id: uuid.UUID, delay: float = 0.0) -> None:
    """Queue the delivery task by name (the listener cannot import streams.tasks)."""
    from dde_site.celery import app

    # A delay is a retry after a failure; no delay, a nudge or a continuation.
    app.send_task(
        "streams.tasks.deliver_webhooks",
        args=(endpoint_id, str(fixture_id)),
        kwargs={"retry": delay > 0},
        countdown=delay or None,
    )


def nudge_after_commit(fixture_id: uuid.UUID) -> None:
    """The listener, after each stored batch: a cheap nudge; beat's sweep is the net."""
    from streams.webhooks.delivery import nudge

    try:
        nudge(fixture_id, enqueue_delivery)
    except Exception:
        _log.exception("webhook.nudge_failed", fixture=str(fixture_id))
