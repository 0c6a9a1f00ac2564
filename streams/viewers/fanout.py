"""One channel-layer subscription per fixture group in each process, fanned out in memory.

A Channels consumer that joins a group gets each message through a queue of its own, a new
task and an ``asyncio.wait`` per message: with a thousand viewers of one match that
bookkeeping was a quarter of daphne's time per change (docs/benchmarks.md). Here the
process reads a group's events once, on one task, and hands each to its viewers in turn.
A viewer must take an event without waiting on anything but its own socket write (see
``FixtureConsumer.deliver``), so one viewer catching up from Postgres never holds up the
others.

The group names and events are the broadcast contract (``streams.viewers.broadcast``); only who
subscribes changes: one channel per group and process instead of one per viewer.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from typing import Any, Protocol

import structlog
from channels.layers import get_channel_layer

log = structlog.get_logger(__name__)


class Viewer(Protocol):
    async def deliver(self, event: dict[str, Any]) -> None:
        """Take one group event; must not wait on anything but its own socket write."""


class LocalGroup:
    """This process's members of one group, and the task that reads the group for them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.viewers: dict[Viewer, None] = {}  # an ordered set
        self.layer: Any = get_channel_layer()
        self.channel: str | None = None
        self._reader: asyncio.Task[None] | None = None
        self.subscribed = asyncio.ensure_future(self._subscribe())

    async def _subscribe(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.name, self.channel)
        self._reader = asyncio.ensure_future(self._read(self.channel))

    async def _read(self, channel: str) -> None:
        while True:
            try:
                event = await self.layer.receive(channel)
            except Exception as exc:  # the layer reconnects by itself; keep reading
                log.warning("fanout.receive_failed", group=self.name, error=repr(exc))
                await asyncio.sleep(0.1)
                continue
            for viewer in list(self.viewers):
                try:
                    await viewer.deliver(event)
                except Exception as exc:  # one broken viewer must not starve the others
                    log.warning("fanout.delivery_failed", group=self.name, error=repr(exc))
                    self.viewers.pop(viewer, None)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.subscribed
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        if self.channel is not None:
            with contextlib.suppress(Exception):
                await self.layer.group_discard(self.name, self.channel)


# Per event loop: a web process has one, test runs make one per test.
_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, LocalGroup]] = (
    weakref.WeakKeyDictionary()
)


def _groups() -> dict[str, LocalGroup]:
    return _by_loop.setdefault(asyncio.get_running_loop(), {})


async def join(name: str, viewer: Viewer) -> None:
    """Add a viewer to a group; returns once the group's events reach this process, so
    whatever is stored after this call is delivered (join first, then read the backlog)."""
    groups = _groups()
    group = groups.get(name)
    if group is None:
        group = groups[name] = LocalGroup(name)
    group.viewers[viewer] = None
    try:
        # Shielded: the subscription serves every viewer of the group, not only this one.
        await asyncio.shield(group.subscribed)
    except BaseException:
        group.viewers.pop(viewer, None)
        failed = group.subscribed.done() and (
            group.subscribed.cancelled() or group.subscribed.exception() is not None
        )
        if failed and groups.get(name) is group:  # let the next viewer try again
            del groups[name]
        raise


async def leave(name: str, viewer: Viewer) -> None:
    groups = _groups()
    group = groups.get(name)
    if group is None:
        return
    group.viewers.pop(viewer, None)
    if not group.viewers:
        del groups[name]
        await group.close()


async def close_all() -> None:
    """End every subscription of this event loop's groups (the process is stopping)."""
    groups = _groups()
    closing = list(groups.values())
    groups.clear()
    await asyncio.gather(*(group.close() for group in closing), return_exceptions=True)
