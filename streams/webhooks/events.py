"""Which event kinds one stored packet is, from what its action means (pure).

A packet is read against the action's state just before it (``before``, None for an
action first seen) and the fixture's statuses before it:

- goal, card: a version of a goal or a card that is not a correction and leaves it on
  the timeline (a Pending goal, then its Confirmed version, are two goal events);
- correction: a later version of an action already seen that Updates, Cancels, Deletes
  or restores it (docs/dde-protocol.md §6); an older version arriving late changes
  nothing, and is none;
- status change: the fixture status or collection status in its summary differs;
- match finished: the packet ends the feed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from streams.dde.messages import DataPacket
from streams.feed.rules import is_stale
from streams.meaning.kinds import ActionKind
from streams.meaning.timeline import Kinds
from streams.webhooks.models import EventKind

CARD_KINDS = frozenset({ActionKind.YELLOW_CARD, ActionKind.RED_CARD})
_CORRECTING = frozenset({"Updated", "Cancelled", "Deleted", "Restored"})


def is_correction(before: Mapping[str, Any] | None, packet: DataPacket) -> bool:
    if before is None or is_stale(before["fixture_seq_num"], packet.action.fixture_seq_num):
        return False
    return packet.action.send_type in _CORRECTING


def events_of(
    packet: DataPacket,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    statuses_before: tuple[str, str],
    kinds: Kinds,
) -> set[str]:
    """The event kinds this packet is (``all`` is not among them: every packet is that)."""
    events: set[str] = set()
    stale = before is not None and is_stale(
        before["fixture_seq_num"], packet.action.fixture_seq_num
    )
    if is_correction(before, packet):
        events.add(EventKind.CORRECTION)
    elif not stale and not after["removed"]:
        kind = kinds.of(after)
        if kind == ActionKind.GOAL:
            events.add(EventKind.GOAL)
        elif kind in CARD_KINDS:
            events.add(EventKind.CARD)
    if statuses_after(packet, statuses_before) != statuses_before:
        events.add(EventKind.STATUS_CHANGE)
    if packet.finished:
        events.add(EventKind.MATCH_FINISHED)
    return events


def statuses_after(packet: DataPacket, before: tuple[str, str]) -> tuple[str, str]:
    """The fixture's (status, collection status) after the packet: its summary's, where
    it has them."""
    summary = packet.summary
    if summary is None:
        return before
    return (summary.current_status or before[0], summary.collection_status or before[1])
