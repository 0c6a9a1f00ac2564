"""What /healthz reports: each part checked with a short timeout, and named when it fails.

Nothing here may leak a secret: errors are reported by their type only (a driver's
message can quote a connection string), and listeners by fixture id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
import redis
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.utils import timezone

from streams.conninfo import database_conninfo
from streams.feed.locks import followed_keys, lock_key
from streams.models import Fixture
from streams.reconcile.service import mismatches
from streams.redis_client import redis_client
from streams.webhooks.admin_names import endpoint_name
from streams.webhooks.models import WebhookEndpoint

TIMEOUT_SECONDS = 2.0
DATABASE, REDIS, CHANNEL_LAYER, BEAT, LISTENERS = (
    "database", "redis", "channel_layer", "beat", "listeners",
)  # fmt: skip
WEBHOOKS = "webhooks"
PARTS = (DATABASE, REDIS, CHANNEL_LAYER, BEAT, LISTENERS, WEBHOOKS)

Part = dict[str, Any]


def beat_tick_key() -> str:
    return f"{settings.CHANNEL_LAYER_PREFIX}:beat:last_tick"


def _redis_client() -> redis.Redis:
    return redis_client(socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)


def record_beat_tick(now: dt.datetime | None = None) -> None:
    """Note that beat's dispatcher ran now (read back by the beat check)."""
    with _redis_client() as client:
        client.set(beat_tick_key(), (now or timezone.now()).isoformat())


def _failed(exc: BaseException) -> Part:
    return {"ok": False, "error": f"not reachable ({type(exc).__name__})"}


def check_database() -> Part:
    # A connection of its own: the pool waits up to 30 s for a connection, too long here.
    conninfo = database_conninfo(connect_timeout=2, options="-c statement_timeout=2000")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT 1")
    return {"ok": True}


def check_redis() -> Part:
    with _redis_client() as client:
        client.ping()
    return {"ok": True}


def check_beat(now: dt.datetime) -> Part:
    with _redis_client() as client:
        return _beat(client.get(beat_tick_key()), now)


def _beat(raw: Any, now: dt.datetime) -> Part:
    if raw is None:
        return {"ok": False, "error": "beat has never ticked", "last_tick": None}
    last_tick = dt.datetime.fromisoformat(raw.decode())
    seconds_ago = (now - last_tick).total_seconds()
    # Three missed ticks, not one: a tick can queue behind a busy worker for a moment.
    late_after = max(3 * settings.DISPATCH_INTERVAL_SECONDS, 10.0)
    part: Part = {
        "ok": seconds_ago <= late_after,
        "last_tick": last_tick.isoformat(),
        "seconds_ago": round(seconds_ago, 1),
    }
    if not part["ok"]:
        part["error"] = f"no tick for more than {late_after:g} s"
    return part


async def check_channel_layer() -> Part:
    """A message sent through the layer to a channel of our own comes back."""
    layer = get_channel_layer()
    if layer is None:
        return {"ok": False, "error": "no channel layer configured"}
    channel = await layer.new_channel("healthz.")
    nonce = uuid.uuid4().hex
    try:
        await layer.send(channel, {"type": "healthz.ping", "nonce": nonce})
        message = await asyncio.wait_for(layer.receive(channel), TIMEOUT_SECONDS)
    finally:
        await _discard_channel(layer, channel)
    return {"ok": message.get("nonce") == nonce}


async def _discard_channel(layer: Any, channel: str) -> None:
    # The pub/sub layer unsubscribes a channel only when a receive on it is cancelled,
    # so start one and cancel it: otherwise every probe would leave a subscription behind.
    pending = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0)
    pending.cancel()
    await asyncio.gather(pending, return_exceptions=True)


def check_listeners(now: dt.datetime) -> Part:
    """Due fixtures nobody follows, and how long each followed one has been silent."""
    followed = followed_keys()
    # A fixture whose window just opened waits for the next dispatcher tick.
    grace = dt.timedelta(seconds=2 * settings.DISPATCH_INTERVAL_SECONDS + 5)
    # The watchdog reconnects after one watchdog of silence; two means stuck.
    stale_after = 2 * settings.DDE_WATCHDOG_SECONDS
    live, unfollowed, stale = [], [], []
    due = Fixture.objects.due(now).values_list(
        "id", "listen_from", "last_frame_at", "listener_state"
    )
    for fixture_id, listen_from, last_frame_at, state in due:
        if lock_key(fixture_id) not in followed:
            if listen_from <= now - grace:
                unfollowed.append({"fixture": str(fixture_id), "listener_state": state})
            continue
        silent_since = max(last_frame_at or listen_from, listen_from)
        seconds = round((now - silent_since).total_seconds(), 1)
        live.append({"fixture": str(fixture_id), "seconds_since_last_frame": seconds})
        if seconds > stale_after:
            stale.append(str(fixture_id))
    part: Part = {"ok": not unfollowed and not stale, "live": live, "unfollowed": unfollowed}
    if stale:
        part["silent"] = stale
    return part


def check_webhooks() -> Part:
    """Endpoints disabled after failing for longer than the retry limit (not those staff
    switched off), named by id and description or URL without its query."""
    disabled = WebhookEndpoint.objects.filter(enabled=False).exclude(disabled_reason="")
    named: list[dict[str, Any]] = [
        {"endpoint": e.pk, "name": endpoint_name(e), "disabled_at": e.disabled_at.isoformat()}
        for e in disabled.order_by("pk")
        if e.disabled_at is not None
    ]
    part: Part = {"ok": not named, "disabled": named}
    if named:
        part["error"] = "webhook endpoints disabled after failing: " + ", ".join(
            str(n["name"]) for n in named
        )
    return part


async def _timed(check: Awaitable[Part]) -> Part:
    started = time.perf_counter()
    try:
        part = await asyncio.wait_for(check, TIMEOUT_SECONDS + 1)
    except Exception as exc:
        part = _failed(exc)
    part["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return part


def _in_thread(fn: Callable[..., Part], *args: Any) -> Awaitable[Part]:
    """Run a check in a thread and hand that thread's ORM connection back afterwards."""

    def call() -> Part:
        try:
            return fn(*args)
        finally:
            connection.close()

    return sync_to_async(call, thread_sensitive=False)()


def _skipped(needs: str) -> Part:
    return {"ok": None, "error": f"skipped: {needs} is not reachable"}


async def report() -> dict[str, Any]:
    """Every part's state; ``status`` is "ok" only when none fails."""
    now = timezone.now()
    database, redis_part, channel_layer = await asyncio.gather(
        _timed(_in_thread(check_database)),
        _timed(_in_thread(check_redis)),
        _timed(check_channel_layer()),
    )
    checks = {DATABASE: database, REDIS: redis_part, CHANNEL_LAYER: channel_layer}
    beat, listeners, webhooks = await asyncio.gather(
        _timed(_in_thread(check_beat, now)) if redis_part["ok"] else _none(),
        _timed(_in_thread(check_listeners, now)) if database["ok"] else _none(),
        _timed(_in_thread(check_webhooks)) if database["ok"] else _none(),
    )
    checks[BEAT] = beat or _skipped("Redis")
    checks[LISTENERS] = listeners or _skipped("the database")
    checks[WEBHOOKS] = webhooks or _skipped("the database")
    failing = [name for name in PARTS if checks[name]["ok"] is False]
    result = {"status": "failing" if failing else "ok", "failing": failing, "checks": checks}
    if database["ok"]:
        # Named, not failing: a vendor list that differs is no reason to restart a web
        # process; the alert rule on dde_reconciliation_fixtures pages someone instead.
        result["reconciliation"] = await _timed(_in_thread(check_reconciliation))
    return result


def check_reconciliation() -> Part:
    """Fixtures whose latest post-match reconciliation found a difference."""
    found = mismatches()
    return {"ok": found["count"] == 0, **found}


async def _none() -> None:
    return None
