"""Deliver one fixture's packets to one endpoint, in order, each until a 2xx.

The packet log is the outbox: the cursor row says the last position handled, and a task
per (endpoint, fixture) reads the packets after it by position, posts those the endpoint
wants and advances the cursor only after a 2xx. A failure schedules the next try with
exponential backoff and full jitter; failing for longer than WEBHOOK_RETRY_FOR_SECONDS
disables the endpoint (named by /healthz and in admin). One delivery is in flight per
(endpoint, fixture): a worker takes the cursor's lease with a conditional UPDATE, and
every write it makes after is fenced by that lease.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import structlog
from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from streams.catalogue import explaining_actions, load_kinds
from streams.dde.messages import DataPacket, parse_frame
from streams.feed.rules import next_action_state, summary_fields
from streams.jsontext import dumps
from streams.meaning.drawing import VIDEO_CHECK_KINDS
from streams.meaning.timeline import Kinds, Timeline
from streams.models import Fixture, Packet, action_payload
from streams.webhooks import signing
from streams.webhooks.events import events_of, statuses_after
from streams.webhooks.models import WebhookCursor, WebhookDelivery, WebhookEndpoint

log = structlog.get_logger(__name__)

BATCH = 200
# Delivery attempts kept in the log per endpoint.
LOG_KEEP = 5000
# One task call works this long at most, then hands over to a fresh one.
WORK_SECONDS = 30.0

# (endpoint id, fixture id, delay in seconds): how a delivery asks to be run again.
Enqueue = Callable[[int, uuid.UUID, float], None]


class Outcome(enum.Enum):
    CAUGHT_UP = "caught_up"
    RETRYING = "retrying"
    BUSY = "busy"  # another worker has it, or its next try is not due yet
    DISABLED = "disabled"
    NOT_COVERED = "not_covered"
    MORE = "more"  # worked its time; run again


def lease_seconds() -> float:
    return max(30.0, 4 * settings.WEBHOOK_TIMEOUT_SECONDS + WORK_SECONDS)


def backoff_seconds(attempts: int) -> float:
    """Full jitter: anywhere from 0 to base * 2^(attempts - 1), capped."""
    ceiling = min(
        settings.WEBHOOK_RETRY_MAX_SECONDS,
        settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** min(attempts - 1, 60),
    )
    return random.uniform(0, ceiling)


# --- which endpoints cover which fixtures -------------------------------------------------


def _covers(endpoint: WebhookEndpoint, fixture: Fixture) -> bool:
    """Named fixtures, or (no fixtures named) any fixture that stored a packet since the
    endpoint was made: a new endpoint does not replay every past match."""
    named = list(endpoint.fixtures.values_list("id", flat=True))
    if named:
        return fixture.id in named
    if fixture.last_position is None:
        return False
    return Packet.objects.filter(
        fixture=fixture, position=fixture.last_position, received_at__gte=endpoint.created
    ).exists()


# The listener asks after every stored batch; reading the endpoints each time was a query
# per transaction on the hot path (it halved one-packet transactions a second). They are
# read at most this often per process; beat's sweep covers an endpoint added meanwhile.
SUBSCRIPTIONS_TTL_SECONDS = 5.0
_subscriptions: tuple[float, list[tuple[int, frozenset[uuid.UUID]]]] | None = None
_subscriptions_lock = threading.Lock()


def endpoints_for(fixture_id: uuid.UUID) -> list[int]:
    """Enabled endpoints that may want this fixture (the listener's nudge)."""
    return [
        endpoint_id
        for endpoint_id, fixtures in _enabled_subscriptions()
        if not fixtures or fixture_id in fixtures
    ]


def _enabled_subscriptions() -> list[tuple[int, frozenset[uuid.UUID]]]:
    """(endpoint id, the fixtures it names, none for every fixture), read at most every
    SUBSCRIPTIONS_TTL_SECONDS."""
    global _subscriptions
    with _subscriptions_lock:
        now = time.monotonic()
        if _subscriptions is None or now - _subscriptions[0] > SUBSCRIPTIONS_TTL_SECONDS:
            named: dict[int, set[uuid.UUID]] = {}
            enabled = WebhookEndpoint.objects.filter(enabled=True)
            for endpoint_id, fixture_id in enabled.values_list("id", "fixtures"):
                named.setdefault(endpoint_id, set())
                if fixture_id is not None:
                    named[endpoint_id].add(fixture_id)
            found = [(e, frozenset(f)) for e, f in sorted(named.items())]
            _subscriptions = (now, found)
        return _subscriptions[1]


def forget_subscriptions() -> None:
    """Read the endpoints again at the next nudge (after staff change one; tests)."""
    global _subscriptions
    with _subscriptions_lock:
        _subscriptions = None


def nudge(fixture_id: uuid.UUID, enqueue: Enqueue) -> int:
    """After a stored batch: start a delivery for each endpoint that may want it."""
    endpoints = endpoints_for(fixture_id)
    for endpoint_id in endpoints:
        enqueue(endpoint_id, fixture_id, 0.0)
    return len(endpoints)


def sweep(enqueue: Enqueue, now: dt.datetime | None = None) -> int:
    """Beat's safety net: every (endpoint, fixture) with packets past its cursor, due and
    not in flight, gets a delivery."""
    now = now or timezone.now()
    count = 0
    for endpoint in WebhookEndpoint.objects.filter(enabled=True).prefetch_related("fixtures"):
        cursors = {c.fixture_id: c for c in endpoint.cursors.all()}
        named = [f.id for f in endpoint.fixtures.all()]
        if named:
            candidates = Fixture.objects.filter(id__in=named)
        else:
            recent = Q(
                packets__position=F("last_position"), packets__received_at__gte=endpoint.created
            )
            candidates = Fixture.objects.filter(Q(id__in=list(cursors)) | recent).distinct()
        for fixture_id, last_position in candidates.values_list("id", "last_position"):
            cursor = cursors.get(fixture_id)
            if last_position is None or (cursor and cursor.position >= last_position):
                continue
            if cursor and cursor.next_attempt_at and cursor.next_attempt_at > now:
                continue
            if cursor and cursor.leased_until and cursor.leased_until > now:
                continue
            enqueue(endpoint.id, fixture_id, 0.0)
            count += 1
    return count


# --- the lease ----------------------------------------------------------------------------


def _take_lease(cursor_id: int, now: dt.datetime) -> uuid.UUID | None:
    lease = uuid.uuid4()
    free = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    taken = WebhookCursor.objects.filter(free, due, pk=cursor_id).update(
        lease=lease, leased_until=now + dt.timedelta(seconds=lease_seconds())
    )
    return lease if taken else None


def _release(cursor_id: int, lease: uuid.UUID) -> None:
    WebhookCursor.objects.filter(pk=cursor_id, lease=lease).update(lease=None, leased_until=None)


class LeaseLost(Exception):
    """The lease ran out and another worker took the cursor: stop at once."""


def _fenced(cursor_id: int, lease: uuid.UUID, **fields: Any) -> None:
    renewed = timezone.now() + dt.timedelta(seconds=lease_seconds())
    if not WebhookCursor.objects.filter(pk=cursor_id, lease=lease).update(
        leased_until=renewed, **fields
    ):
        raise LeaseLost


# --- what to send -------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    position: int
    events: set[str]
    statuses: tuple[str, str]
    body: bytes | None  # None: the endpoint does not want this one


def _parse(raw: str, payload: Any) -> DataPacket:
    packet = parse_frame(raw or dumps(payload), max_bytes=settings.DDE_FRAME_CEILING_BYTES)
    assert isinstance(packet, DataPacket)
    return packet


def _plan(
    endpoint: WebhookEndpoint, cursor: WebhookCursor, fixture: Fixture, kinds: Kinds
) -> Iterator[Planned]:
    """The packets after the cursor (one batch), with their events and bodies."""
    batch = list(
        Packet.objects.filter(fixture=fixture, position__gt=cursor.position)
        .order_by("position")
        .values_list("position", "action_id", "raw", "payload")[:BATCH]
    )
    if not batch:
        return
    # Each action's state just before and right after each of the batch's packets,
    # replayed from its earlier versions in the log.
    wanted_positions = {position for position, *_ in batch}
    history = (
        Packet.objects.filter(
            fixture=fixture,
            action_id__in={action_id for _, action_id, _, _ in batch},
            position__lte=batch[-1][0],
        )
        .order_by("position")
        .values_list("position", "action_id", "raw", "payload")
    )
    states: dict[uuid.UUID, dict[str, Any]] = {}
    versions: dict[int, tuple[DataPacket, dict[str, Any] | None, dict[str, Any]]] = {}
    for position, action_id, raw, payload in history:
        packet = _parse(raw, payload)
        before = states.get(action_id)
        after = next_action_state(before, packet, position)
        states[action_id] = after
        if position in wanted_positions:
            versions[position] = (packet, before, after)
    context: list[dict[str, Any]] | None = None
    statuses = (cursor.status, cursor.collection_status)
    base = fixture.to_payload()
    for position, action_id, _, _ in batch:
        packet, before, after = versions[position]
        events = events_of(packet, before, after, statuses, kinds)
        statuses = statuses_after(packet, statuses)
        if not endpoint.wants(events):
            yield Planned(position, events, statuses, None)
            continue
        action = action_payload(action_id, after)
        if after["removed"] or after["related_action_ids"] or kinds.of(action) in VIDEO_CHECK_KINDS:
            if context is None:
                context = explaining_actions(fixture.id, kinds)
            others = [a for a in context if a["action_id"] != action["action_id"]]
            row = Timeline([*others, action], kinds).with_row(action)
        else:
            row = Timeline([action], kinds).with_row(action)
        summary = summary_fields(packet.summary) if packet.summary else {}
        body = {
            "idempotency_key": signing.idempotency_key(fixture.id, position),
            "events": sorted(events),
            "position": position,
            "fixture": {
                **base,
                **{k: v for k, v in summary.items() if k in base},
                "finished": packet.finished,
                "last_position": position,
            },
            "action": row,
            "packet": packet.payload,
        }
        yield Planned(position, events, statuses, dumps(body).encode())


# --- posting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Posted:
    status_code: int | None
    error: str
    latency_ms: float

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _post(
    client: httpx.Client, endpoint: WebhookEndpoint, fixture_id: uuid.UUID, item: Planned
) -> Posted:
    assert item.body is not None
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.signature(endpoint.secret, timestamp, item.body),
        signing.IDEMPOTENCY_HEADER: signing.idempotency_key(fixture_id, item.position),
        signing.EVENTS_HEADER: ",".join(sorted(item.events)),
    }
    # No pooled connection held while waiting on a receiver: the worker's listeners
    # share the pool (inside a transaction, as in a test, it must stay).
    if not connection.in_atomic_block:
        connection.close()
    started = time.perf_counter()
    try:
        response = client.post(endpoint.url, content=item.body, headers=headers)
    except httpx.HTTPError as exc:
        # The exception's type only: its text can quote the URL, with a token in it.
        latency = (time.perf_counter() - started) * 1000
        return Posted(None, type(exc).__name__, latency)
    latency = (time.perf_counter() - started) * 1000
    error = "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return Posted(response.status_code, error, latency)


def _record(
    endpoint: WebhookEndpoint, fixture_id: uuid.UUID, item: Planned, attempt: int, posted: Posted
) -> None:
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        fixture_id=fixture_id,
        position=item.position,
        events=sorted(item.events),
        attempt=attempt,
        status_code=posted.status_code,
        error=posted.error,
        latency_ms=round(posted.latency_ms, 2),
        at=timezone.now(),
    )


def trim_log(endpoint_id: int, keep: int = LOG_KEEP) -> None:
    oldest_kept = (
        WebhookDelivery.objects.filter(endpoint_id=endpoint_id)
        .order_by("-id")
        .values_list("id", flat=True)[keep - 1 : keep]
    )
    cut = list(oldest_kept)
    if cut:
        WebhookDelivery.objects.filter(endpoint_id=endpoint_id, id__lt=cut[0]).delete()


def _failed(
    endpoint: WebhookEndpoint, cursor: WebhookCursor, lease: uuid.UUID, posted: Posted
) -> float | None:
    """Note the failure; the delay before the next try, or None once disabled."""
    now = timezone.now()
    failing_since = cursor.failing_since or now
    attempts = cursor.attempts + 1
    if (now - failing_since).total_seconds() >= settings.WEBHOOK_RETRY_FOR_SECONDS:
        reason = (
            f"failing since {failing_since.isoformat()} "
            f"(fixture {cursor.fixture_id}, position {cursor.position + 1}: {posted.error})"
        )
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            enabled=False, disabled_at=now, disabled_reason=reason
        )
        _fenced(cursor.pk, lease, attempts=attempts, failing_since=failing_since,
                last_error=posted.error, next_attempt_at=None)  # fmt: skip
        log.warning("webhook.disabled", endpoint=endpoint.pk, fixture=str(cursor.fixture_id))
        return None
    delay = backoff_seconds(attempts)
    _fenced(
        cursor.pk,
        lease,
        attempts=attempts,
        failing_since=failing_since,
        last_error=posted.error,
        next_attempt_at=now + dt.timedelta(seconds=delay),
    )
    return delay


# --- the task's body ----------------------------------------------------------------------


def _cursor(endpoint: WebhookEndpoint, fixture: Fixture) -> WebhookCursor | None:
    cursor = WebhookCursor.objects.filter(endpoint=endpoint, fixture=fixture).first()
    if cursor is not None:
        return cursor
    if not _covers(endpoint, fixture):
        return None
    cursor, _ = WebhookCursor.objects.get_or_create(endpoint=endpoint, fixture=fixture)
    return cursor


def deliver(
    endpoint_id: int, fixture_id: uuid.UUID, *, enqueue: Enqueue, retry: bool = False
) -> Outcome:
    """Post what the endpoint wants of the fixture's packets past its cursor, in order.

    Returns at once if another worker has it or its next try is not due; after a failure
    it asks ``enqueue`` to run it again after the backoff delay. ``retry``: this is that
    run, which, woken a moment early, asks again for the rest of the delay (a nudge
    arriving during the backoff just returns).
    """
    for _ in range(3):  # packets stored while the lease was being let go: go on with them
        outcome = _deliver_once(endpoint_id, fixture_id, enqueue, retry)
        if outcome is not Outcome.CAUGHT_UP or not _behind(endpoint_id, fixture_id):
            break
    if outcome is Outcome.MORE:
        enqueue(endpoint_id, fixture_id, 0.0)
    return outcome


def _behind(endpoint_id: int, fixture_id: uuid.UUID) -> bool:
    cursor = WebhookCursor.objects.filter(endpoint_id=endpoint_id, fixture_id=fixture_id)
    return cursor.filter(position__lt=F("fixture__last_position")).exists()


def _deliver_once(
    endpoint_id: int, fixture_id: uuid.UUID, enqueue: Enqueue, retry: bool
) -> Outcome:
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True).first()
    fixture = Fixture.objects.filter(pk=fixture_id).first()
    if endpoint is None:
        return Outcome.DISABLED
    if fixture is None:
        return Outcome.NOT_COVERED
    cursor = _cursor(endpoint, fixture)
    if cursor is None:
        return Outcome.NOT_COVERED
    now = timezone.now()
    lease = _take_lease(cursor.pk, now)
    if lease is None:
        cursor.refresh_from_db()
        free = cursor.leased_until is None or cursor.leased_until < now
        if retry and free and cursor.next_attempt_at and cursor.next_attempt_at > now:
            enqueue(endpoint_id, fixture_id, (cursor.next_attempt_at - now).total_seconds())
        return Outcome.BUSY
    try:
        return _work(endpoint, fixture, cursor.pk, lease, enqueue)
    except LeaseLost:
        log.warning("webhook.lease_lost", endpoint=endpoint_id, fixture=str(fixture_id))
        return Outcome.BUSY
    finally:
        _release(cursor.pk, lease)
        trim_log(endpoint_id)


def _work(
    endpoint: WebhookEndpoint, fixture: Fixture, cursor_id: int, lease: uuid.UUID, enqueue: Enqueue
) -> Outcome:
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    deadline = time.monotonic() + WORK_SECONDS
    kinds = load_kinds()
    with httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False) as client:
        while time.monotonic() < deadline:
            cursor = WebhookCursor.objects.get(pk=cursor_id)
            fixture.refresh_from_db()
            skipped: Planned | None = None
            planned = False
            for item in _plan(endpoint, cursor, fixture, kinds):
                planned = True
                if item.body is None:
                    skipped = item
                    continue
                posted = _post(client, endpoint, fixture.id, item)
                _record(endpoint, fixture.id, item, cursor.attempts + 1, posted)
                if not posted.ok:
                    if skipped is not None:  # what it did not want is handled all the same
                        _advance(cursor, lease, skipped)
                    delay = _failed(endpoint, cursor, lease, posted)
                    if delay is None:
                        return Outcome.DISABLED
                    enqueue(endpoint.pk, fixture.id, delay)
                    return Outcome.RETRYING
                skipped = None
                _advance(cursor, lease, item)
            if skipped is not None:
                _advance(cursor, lease, skipped)
            if not planned:
                return Outcome.CAUGHT_UP
    return Outcome.MORE


def _advance(cursor: WebhookCursor, lease: uuid.UUID, item: Planned) -> None:
    status, collection_status = item.statuses
    _fenced(
        cursor.pk,
        lease,
        position=item.position,
        status=status,
        collection_status=collection_status,
        attempts=0,
        failing_since=None,
        next_attempt_at=None,
        last_error="",
    )
    cursor.position = item.position
    cursor.status, cursor.collection_status = status, collection_status
    cursor.attempts, cursor.failing_since = 0, None
