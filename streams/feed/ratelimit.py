"""One rate limit in Redis for every request the cluster makes to the vendor.

The vendor asks for at most ``DDE_RATE_LIMIT_PER_SECOND`` (5) requests a second from one
customer: REST calls (``streams.dde.rest``) and websocket (re)connects (the listener,
before each connect of ``streams.dde.client``) all draw on the same limit, whichever
process or machine makes them.

How: a sliding window of *reservations*. A Lua script, run atomically in Redis on Redis's
own clock, keeps the grant times of the last few requests in a sorted set and hands the
caller the earliest time ``t`` such that no window of ``window`` seconds holds more than
``limit`` grants: ``t = max(now, g[-limit] + window)``, where ``g[-limit]`` is the
``limit``-th most recent grant. The caller sleeps until ``t`` and goes; nobody polls, so
300 listeners dropped at once cost 300 Redis calls, not a storm of retries. Grants are
non-decreasing and each is at least ``window`` after the grant ``limit`` places before
it, so every window of that length holds at most ``limit`` of them.

``window`` is one second plus ``DDE_RATE_LIMIT_MARGIN_SECONDS`` (0.2 s): the vendor counts
arrivals, which reach it a little later than our grants and not all equally late. A
caller woken more than half the margin after its slot (a busy event loop) takes a new
slot rather than arrive together with the next ones (at most three times).

The math for a mass reconnect (docs/dde-protocol.md §2.5): 300 listeners dropped together
each reserve a slot after their first backoff delay (at most 0.25 s); slot ``k`` (from 0)
is ``(k // 5) * 1.2`` s after the first, so the last one connects about 59 * 1.2 ≈ 71 s
after the drop, within two minutes. Waiting for a slot is not a failure: the backoff
does not grow meanwhile. Only a connect that fails again costs another slot, after a
backoff delay capped at 30 s.

When Redis cannot be reached the limiter falls back to spacing this process's own
requests ``1 / limit`` apart (and logs it): a Redis outage must not stop the feed.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import Any

import redis
import structlog
from django.conf import settings

from streams.redis_client import redis_client

log = structlog.get_logger(__name__)

# KEYS[1]: the sorted set of grants. ARGV: limit, window (ms), member id.
# Returns the wait in milliseconds before the caller may go.
# How many slots a caller woken late takes before it goes anyway.
_TRIES = 3

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local slot = now
if redis.call('ZCARD', KEYS[1]) >= limit then
  local nth = redis.call('ZRANGE', KEYS[1], -limit, -limit, 'WITHSCORES')
  local earliest = tonumber(nth[2]) + window
  if earliest > slot then slot = earliest end
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] and tonumber(last[2]) > slot then slot = tonumber(last[2]) end
redis.call('ZADD', KEYS[1], slot, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.floor(slot - now + window + 1000))
return slot - now
"""


class RedisRateLimiter:
    """``acquire()`` (blocking) and ``await acquire_async()`` wait for a slot, cluster-wide."""

    def __init__(
        self,
        redis_url: str,
        *,
        limit: int,
        window: float = 1.2,
        key: str = "dde:vendor-rate",
        client: redis.Redis | None = None,
    ) -> None:
        """``client``: the Redis to count in (settings' clients pass ``redis_client()``);
        None: one of ``redis_url``."""
        if limit < 1 or window <= 0:
            raise ValueError("need limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self.key = key
        self._redis = client or redis.Redis.from_url(
            redis_url, socket_connect_timeout=2, socket_timeout=2
        )
        self._script: Any = self._redis.register_script(_RESERVE)
        self._local_lock = threading.Lock()
        self._local_next = 0.0

    def reserve(self) -> float:
        """Take the next slot; the seconds to wait before using it, from now."""
        return max(0.0, self.reserve_deadline() - time.monotonic())

    def reserve_deadline(self) -> float:
        """Take the next slot; when to use it, on this process's monotonic clock. Measured
        right after Redis answers: time spent queueing for a thread before the call does
        not move the slot later and bunch it with the next ones."""
        try:
            waited_ms = self._script(
                keys=[self.key], args=[self.limit, round(self.window * 1000), uuid.uuid4().hex]
            )
            return time.monotonic() + max(0.0, float(waited_ms) / 1000)
        except redis.RedisError as exc:
            log.warning("rate_limit.redis_unavailable", error=str(exc)[:200])
            return time.monotonic() + self._local_slot()

    def _local_slot(self) -> float:
        with self._local_lock:
            now = time.monotonic()
            slot = max(now, self._local_next)
            self._local_next = slot + self.window / self.limit
            return slot - now

    def acquire(self) -> None:
        """Wait for a slot (blocking): REST calls."""
        for _ in range(_TRIES):
            deadline = self.reserve_deadline()
            time.sleep(max(0.0, deadline - time.monotonic()))
            if time.monotonic() - deadline <= self._late:
                return

    async def acquire_async(self) -> None:
        """Wait for a slot without blocking the loop: websocket connects."""
        for _ in range(_TRIES):
            deadline = await asyncio.to_thread(self.reserve_deadline)
            await asyncio.sleep(max(0.0, deadline - time.monotonic()))
            if time.monotonic() - deadline <= self._late:
                return

    @property
    def _late(self) -> float:
        # Woken later than this after its slot (a busy loop), a caller would arrive with
        # the next slots' callers: it takes a new slot instead (the old one stays spent).
        return max(0.0, self.window - 1.0) / 2

    def close(self) -> None:
        self._redis.close()


_shared: RedisRateLimiter | None = None
_shared_config: tuple[str, int, float, str] | None = None
_shared_lock = threading.Lock()


def vendor_limiter() -> RedisRateLimiter:
    """This process's limiter for the vendor, built from settings (rebuilt if they change)."""
    global _shared, _shared_config
    config = (
        settings.REDIS_URL,
        settings.DDE_RATE_LIMIT_PER_SECOND,
        1.0 + settings.DDE_RATE_LIMIT_MARGIN_SECONDS,
        f"{settings.CHANNEL_LAYER_PREFIX}:dde-vendor-rate",
    )
    with _shared_lock:
        if _shared is None or _shared_config != config:
            url, limit, window, key = config
            client = redis_client(socket_connect_timeout=2, socket_timeout=2)
            _shared = RedisRateLimiter(url, limit=limit, window=window, key=key, client=client)
            _shared_config = config
        return _shared
