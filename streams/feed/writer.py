"""Storing arrivals: the raw log, action state and fixture summary in one transaction.

The hot path of the product. A ``FixtureWriter`` keeps the fixture row, its stored packet
keys and recent action states in memory while its listener holds the fixture's lock, so
it can plan a batch (positions, action states, the fixture's payload after each packet,
the catalogue's sightings) without reading, and write it with the one statement of
``streams.feed.statement``. That statement writes only if the row is still as the writer
left it; if anyone else wrote, nothing is written and the writer locks the row, reloads
from the database and plans again. What a packet does to its action and its fixture is
``streams.feed.rules``.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.utils import timezone

from streams.dde.messages import DataPacket
from streams.feed import statement
from streams.feed.locks import LeaseLost
from streams.feed.rules import fixture_fields, next_action_state
from streams.feed.statement import ACTION_STATE_FIELDS, Batch, FixtureRow
from streams.meaning.freshness import following_feed
from streams.meaning.kinds import kind_from_name
from streams.models import Action, Fixture, Packet, RejectedFrame, action_payload
from streams.stored import Arrival, StoredPacket, StoreResult

RECENT_ACTIONS = 64


class FixtureWriter:
    """Appends one fixture's packets; one instance per listener, used from one thread.

    It keeps what it wrote: the fixture row, the stored packet keys and the recent action
    states. A transaction is then one statement that writes only if the row is still as
    the writer left it; if not (another writer, a later listener, a rolled-back
    transaction, staff editing the fixture), the writer locks the row, reloads and plans
    again.
    """

    def __init__(self, fixture_id: uuid.UUID, *, epoch: int | None = None) -> None:
        """``epoch``: the listener's fencing token (``Fixture.listener_epoch`` when it took
        the fixture); writes stop once a later listener has taken over. None: no fence."""
        self.fixture_id = fixture_id
        self.epoch = epoch
        self._fixture: FixtureRow | None = None  # None: trust only the database
        self._next_position = 0
        self._keys: set[tuple[str, int | None]] = set()
        # Every action id stored, and the full state of the most recently changed ones:
        # a lifecycle (Pending, Confirmed, Updated...) mostly plays out within seconds, and
        # a full state is a couple of KB, too much to keep for every action of 200 matches.
        self._actions: set[str] = set()
        self._recent: OrderedDict[str, dict[str, Any]] = OrderedDict()
        # Type ids this writer has seen the catalogue hold by name: not offered to it again.
        self._catalogued: set[int] = set()

    def load(self) -> None:
        """Read what is stored before packets arrive (a listener does this before it
        connects), so that the first packet is stored without a lock and a reload."""
        try:
            self._load(self._read_fixture(lock=False))
        except BaseException:
            self._fixture = None
            raise

    def store(self, arrivals: Sequence[Arrival]) -> StoreResult:
        """Store packets in arrival order in one transaction; idempotent.

        A packet whose (actionId, fixtureSeqNum) is already stored is a repeat: it is
        skipped and takes no position. New packets get the next positions; their actions
        are upserted and the fixture takes the latest summary. A batch of repeats writes
        nothing but reads the row, so that its result too says where the stored packets
        end and whether a stop was requested. Raises ``LeaseLost`` (storing nothing) when
        a later listener has taken the fixture over.
        """
        try:
            written = self._write_if_unchanged(arrivals) if self._fixture else None
            if written is None:
                with transaction.atomic():
                    self._load_if_changed(self._read_fixture(lock=True))
                    written = self._write_if_unchanged(arrivals)
                if written is None:  # the row is locked: nobody can have changed it
                    raise RuntimeError(f"fixture {self.fixture_id} changed under its lock")
        except BaseException:
            self._fixture = None  # the transaction may have rolled back: reload next time
            raise
        batch, kinds = written
        self._remember(batch)
        self._next_position += len(batch.stored)
        assert self._fixture is not None
        return StoreResult(
            stored=batch.stored,
            kinds=kinds,
            repeats=len(arrivals) - len(batch.stored),
            next_position=self._next_position,
            finished=self._fixture.payload["finished"],
            stop_requested=self._fixture.stop_requested,
        )

    def _read_fixture(self, *, lock: bool) -> FixtureRow:
        # The row lock serialises writers of one fixture even if two ever raced; the epoch
        # fences a listener whose lock went with its connection and was taken by another.
        fixture = statement.read_fixture(self.fixture_id, lock=lock)
        if fixture is None:
            raise Fixture.DoesNotExist(f"fixture {self.fixture_id} does not exist")
        if self.epoch is not None and fixture.listener_epoch != self.epoch:
            raise LeaseLost(f"fixture {self.fixture_id} was taken over by another listener")
        return fixture

    def _load_if_changed(self, fixture: FixtureRow) -> None:
        if self._fixture is not None and fixture.packet_count < self._next_position:
            # Fewer packets stored than this writer stored itself: commits were lost (a
            # failover to a replica that had not received them; found by the cluster
            # harness). The feed is ahead of storage now, so the next packet would take a
            # lost one's position: stop, and let a new listener resume from what is stored.
            raise LeaseLost(
                f"fixture {self.fixture_id} has {fixture.packet_count} packets stored, "
                f"fewer than the {self._next_position} this listener stored"
            )
        if self._fixture is None or self._next_position != fixture.packet_count:
            self._load(fixture)
        self._fixture = fixture

    def _load(self, fixture: FixtureRow) -> None:
        packets = Packet.objects.filter(fixture_id=self.fixture_id)
        self._keys = {(str(a), s) for a, s in packets.values_list("action_id", "fixture_seq_num")}
        actions = Action.objects.filter(fixture_id=self.fixture_id)
        self._actions = {str(a) for a in actions.values_list("action_id", flat=True)}
        self._recent.clear()
        self._next_position = fixture.packet_count
        self._fixture = fixture

    def _remember(self, batch: Batch) -> None:
        self._keys.update(s.packet.key for s in batch.stored)
        self._actions.update(batch.states)
        for action_id, state in batch.states.items():
            self._recent[action_id] = state
            self._recent.move_to_end(action_id)
        # A type seen only without a name is offered again, so its first name reaches it.
        self._catalogued.update(
            s.packet.action.type_id
            for s in batch.stored
            if s.packet.action.type_id is not None and s.packet.action.type_name
        )
        while len(self._recent) > RECENT_ACTIONS:
            self._recent.popitem(last=False)

    def _known_states(self, arrivals: Sequence[Arrival]) -> dict[str, dict[str, Any]]:
        """Current states of the stored actions these packets change: from memory, or
        with one query for those that fell out of it."""
        known = {a.packet.action.action_id for a in arrivals} & self._actions
        states = {a: self._recent[a] for a in known if a in self._recent}
        missing = known - states.keys()
        if missing:
            rows = Action.objects.filter(fixture_id=self.fixture_id, action_id__in=missing)
            for row in rows.values("action_id", *ACTION_STATE_FIELDS):
                states[str(row.pop("action_id"))] = row
        return states

    def _write_if_unchanged(
        self, arrivals: Sequence[Arrival]
    ) -> tuple[Batch, dict[int, str]] | None:
        """Plan against this writer's view of the fixture and write in one statement: the
        batch and the catalogue's kinds of its type ids, or None (nothing written) when the
        row is no longer as the writer left it."""
        assert self._fixture is not None
        batch = self._plan(self._fixture, arrivals)
        if not batch.stored:
            # Nothing to write, but what the result says is still the row's: the fence, the
            # stop flag, and where the packets end (someone else may have stored meanwhile).
            fixture = self._read_fixture(lock=False)
            if fixture.packet_count != self._next_position:
                return None
            self._fixture = fixture
            return batch, {}
        # Not written if staff edited the fixture meanwhile: the summaries of the batch would
        # show the names and colours as they were. The writer then locks, reads, plans again.
        written = statement.write_batch(batch)
        if written is None:
            return None
        self._fixture = replace(
            self._fixture,
            payload=batch.stored[-1].fixture,
            stop_requested=written.stop_requested,
            edited=written.edited,  # new colours from the feed, say
        )
        return batch, written.kinds

    def _plan(self, row: FixtureRow, arrivals: Sequence[Arrival]) -> Batch:
        """Positions for the new packets, the resulting action states, and the fixture's
        payload after each of them."""
        fixture = row.payload
        known = self._known_states(arrivals)
        batch_keys: set[tuple[str, int | None]] = set()
        states: dict[str, dict[str, Any]] = {}
        changes: dict[str, Any] = {}
        stored: list[StoredPacket] = []
        position = self._next_position
        for arrival in arrivals:
            packet = arrival.packet
            # Without a fixtureSeqNum a version cannot be told apart from a repeat; keep it.
            key = packet.key
            if key[1] is not None and (key in self._keys or key in batch_keys):
                continue
            batch_keys.add(key)
            action_id = packet.action.action_id
            current = states.get(action_id) or known.get(action_id)
            states[action_id] = next_action_state(current, packet, position)
            changes.update(fixture_fields(packet))
            fixture = {**fixture, **fixture_fields(packet), "last_position": position}
            # A packet just stored: the feed is followed, its last frame this one.
            fixture["feed"] = following_feed(fixture["feed"], arrival.received_at, fixture)
            action = action_payload(action_id, states[action_id])
            stored.append(StoredPacket(position, packet, arrival.received_at, action, fixture))
            position += 1
        sightings, new_types = self._catalogue_rows(stored)
        return Batch(
            self.fixture_id, self.epoch, row.edited, stored, states, changes, sightings, new_types
        )

    def _catalogue_rows(
        self, stored: list[StoredPacket]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The sightings of the batch's types and sub-types, and the type ids new to this
        writer (offered to the catalogue, which keeps the first name it saw)."""
        sightings: dict[tuple[Any, ...], dict[str, Any]] = {}
        new_types: dict[int, dict[str, Any]] = {}
        for s in stored:
            action = s.packet.action
            if action.type_id is None and not action.type_name:
                continue  # a thin removal names no type
            key = (action.type_id, action.type_name, action.subtype_id, action.subtype_name)
            seen = s.received_at.isoformat()
            sighting = sightings.get(key)
            if sighting is None:
                sightings[key] = {
                    "fixture_id": str(self.fixture_id),
                    "type_id": action.type_id,
                    "type_name": action.type_name,
                    "subtype_id": action.subtype_id,
                    "subtype_name": action.subtype_name,
                    "count": 1,
                    "first_seen": seen,
                    "last_seen": seen,
                }
            else:
                sighting["count"] += 1
                sighting["last_seen"] = max(sighting["last_seen"], seen)
            if action.type_id is not None and action.type_id not in self._catalogued:
                _offer_type(new_types, action.type_id, action.type_name, seen)
        return list(sightings.values()), sorted(new_types.values(), key=lambda t: t["type_id"])


def _offer_type(offered: dict[int, dict[str, Any]], type_id: int, name: str, seen: str) -> None:
    """Offer the catalogue a type id with the batch's first name for it (any name beats none)."""
    earlier = offered.get(type_id)
    if earlier is None or (name and not earlier["name"]):
        offered[type_id] = {
            "type_id": type_id,
            "name": name,
            "kind": kind_from_name(name).value,
            "first_seen": earlier["first_seen"] if earlier else seen,
        }


def store_packets(
    fixture_id: uuid.UUID,
    packets: Sequence[DataPacket],
    *,
    epoch: int | None = None,
    received_at: Sequence[Any] | None = None,
) -> StoreResult:
    """Store packets for a fixture once, with a fresh writer (see ``FixtureWriter.store``);
    ``received_at`` gives each packet's arrival time (default: now)."""
    times = received_at or [timezone.now()] * len(packets)
    arrivals = [Arrival(p, at) for p, at in zip(packets, times, strict=True)]
    return FixtureWriter(fixture_id, epoch=epoch).store(arrivals)


_MAX_STORED_SIZE = 2**31 - 1


def record_rejected_frame(
    fixture_id: uuid.UUID, *, frame: str, size: int, reason: str, after_position: int | None
) -> RejectedFrame:
    """Keep a frame that could not be used, with the reason; it takes no position."""
    return RejectedFrame.objects.create(
        fixture_id=fixture_id,
        received_at=timezone.now(),
        frame=frame,
        # A frame header may claim up to 2**63 bytes; the column holds what Postgres can.
        size=min(size, _MAX_STORED_SIZE),
        reason=reason,
        after_position=after_position,
    )
