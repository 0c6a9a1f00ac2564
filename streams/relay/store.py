"""What the relay reads from Postgres: packets by position, the fixture's end, tokens.

Django's ORM is synchronous, so every call runs on a small pool of threads owned by the
relay (``Store``), each handing its pooled connection back after the call, as the
listeners do (``streams.feed.listener``). The relay's event loop only awaits them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from django.db import connection
from django.db.models import F, TextField, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from streams.api.auth import LAST_USED_RESOLUTION, find_token
from streams.dde.messages import DataPacket, FrameRejected, parse_frame
from streams.models import ApiToken, Fixture, Packet

T = TypeVar("T")

# At most this many packets per query: a whole match is about a thousand.
READ_BATCH = 2000


@dataclass(frozen=True, slots=True)
class StoredFrame:
    """One stored packet as the relay sends it: its text as received, UTF-8 encoded."""

    position: int
    data: bytes
    received_at: float  # Unix time
    finished: bool  # the feed ends here (§5.1), read as the listener read it


@dataclass(frozen=True, slots=True)
class LogEnd:
    """How far a fixture's stored log goes: ``count`` packets; ``exists``: the fixture does."""

    exists: bool
    count: int


def _text() -> Coalesce:
    # The text as received; for packets stored before it was kept, jsonb's rendering.
    text = TextField()
    raw = NullIf(F("raw"), Value(""), output_field=text)
    return Coalesce(raw, Cast("payload", text), output_field=text)


def read_frames(fixture_id: uuid.UUID, start: int, limit: int = READ_BATCH) -> list[StoredFrame]:
    """Packets from position ``start`` on, in order, stopping before any gap."""
    rows = (
        Packet.objects.filter(fixture_id=fixture_id, position__gte=start)
        .order_by("position")
        .annotate(text=_text())
        .values_list("position", "text", "received_at")[:limit]
    )
    frames: list[StoredFrame] = []
    for position, text, received_at in rows:
        if position != start + len(frames):
            break  # positions are dense by construction; never skip one
        data = text.encode()
        frames.append(StoredFrame(position, data, received_at.timestamp(), _finishes(text)))
    return frames


def _finishes(text: str) -> bool:
    try:
        packet = parse_frame(text, max_bytes=len(text) * 4 + 1)
    except FrameRejected:
        return False  # it was stored, so it was read once; cannot happen
    return isinstance(packet, DataPacket) and packet.finished


def read_texts(fixture_id: uuid.UUID) -> list[str] | None:
    """Every stored packet's text in order (the REST twin), or None: no such fixture."""
    if not Fixture.objects.filter(pk=fixture_id).exists():
        return None
    rows = Packet.objects.filter(fixture_id=fixture_id).order_by("position").annotate(text=_text())
    return list(rows.values_list("text", flat=True))


def log_end(fixture_id: uuid.UUID) -> LogEnd:
    found = list(Fixture.objects.filter(pk=fixture_id).values_list("last_position", flat=True))
    if not found:
        return LogEnd(exists=False, count=0)
    last = found[0]
    return LogEnd(exists=True, count=0 if last is None else last + 1)


def streaming_token(key: str) -> ApiToken | None:
    """The live token with this key, or None; its last use is recorded as the API does."""
    token = find_token(key)
    if token is not None:
        now = timezone.now()
        if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now
    return token


class Store:
    """Runs the functions above on ``threads`` threads of its own."""

    def __init__(self, threads: int = 4) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="relay-db")

    async def call(self, fn: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(_pooled, fn, *args))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _pooled(fn: Callable[..., T], *args: object) -> T:
    try:
        return fn(*args)
    finally:
        connection.close()  # back to the pool: the relay mostly waits
