"""What the feed wing hands the rest of the product: the arrivals a listener stores and
what storing them did. Plain values, so that the viewers' wing and the catalogue can read a
stored batch without importing the writer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from streams.dde.messages import DataPacket


@dataclass(frozen=True, slots=True)
class Arrival:
    """A data packet as the listener received it: the one shape from the socket to the writer."""

    packet: DataPacket
    received_at: dt.datetime


@dataclass(frozen=True)
class StoredPacket:
    """A packet as stored, with what it changed: the action's state and the fixture's
    summary right after it, in the shapes pages and websockets share (``to_payload``)."""

    position: int
    packet: DataPacket
    received_at: dt.datetime
    action: dict[str, Any]
    fixture: dict[str, Any]
    # Other actions whose timeline row this packet changed, with their rows (filled in by
    # ``streams.catalogue.describe_stored``, as the action's own ``row`` is).
    related: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class StoreResult:
    stored: list[StoredPacket] = field(default_factory=list)
    repeats: int = 0
    next_position: int = 0
    finished: bool = False
    stop_requested: bool = False
    # type id -> kind in the catalogue, for the stored packets' type ids it already held.
    kinds: dict[int, str] = field(default_factory=dict)
