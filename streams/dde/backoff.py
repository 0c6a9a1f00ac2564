"""Reconnect delays: capped exponential backoff with equal jitter, reset once data flows."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable


class Backoff:
    """Delays of ``base * factor**n`` capped at ``cap``, half of each one jittered.

    "Equal jitter": a delay is ``d/2 + uniform(0, d/2)``, so the first retry comes within
    ``base`` seconds (0.25 s by default) and never at zero, and clients dropped together
    do not return together. The caller resets it after a connection that worked, so a feed
    that drops every few minutes is resumed in well under a second each time, while a
    dead one is retried at most every ``cap`` seconds (docs/dde-protocol.md §2.5: no hammering).
    ``rand`` (returns [0, 1)) and ``sleep`` are injectable so tests need not wait.
    """

    def __init__(
        self,
        *,
        base: float = 0.25,
        factor: float = 2.0,
        cap: float = 30.0,
        rand: Callable[[], float] = random.random,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if base <= 0 or factor < 1 or cap < base:
            raise ValueError("need base > 0, factor >= 1 and cap >= base")
        self.base = base
        self.factor = factor
        self.cap = cap
        self._rand = rand
        self._sleep = sleep
        self._failures = 0

    @property
    def failures(self) -> int:
        """Delays handed out since the last reset."""
        return self._failures

    def next_delay(self) -> float:
        """The delay before the next attempt; each call backs off further."""
        # Cap the exponent too: factor**n overflows a float long before anyone gives up.
        ceiling = min(self.cap, self.base * self.factor ** min(self._failures, 64))
        self._failures += 1
        half = ceiling / 2
        return half + half * self._rand()

    def reset(self) -> None:
        """Start again from ``base``: the last connection delivered data."""
        self._failures = 0

    async def sleep(self, delay: float) -> None:
        """Wait ``delay`` seconds with the injected sleep function."""
        await self._sleep(delay)
