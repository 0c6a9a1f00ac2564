"""What ``streams.feed.writer`` does, written the plain way: kept for tests only.

The product stores packets with ``FixtureWriter``, which plans in memory and writes a
batch in the one SQL statement of ``streams.feed.statement``. ``ReferenceWriter`` stores
the same batch with ordinary ORM calls and the pure rules of ``streams.feed.rules``: lock
the fixture row, read what is stored, apply each packet in turn, write. It keeps nothing
between calls and is slow on purpose: it is the readable specification the fast path is
checked against (tests/feed/test_reference_writer.py stores random packet sequences
through both and compares the rows). Nothing in the product imports it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from streams.dde.messages import ParsedAction
from streams.feed.locks import LeaseLost
from streams.feed.rules import fixture_fields, next_action_state
from streams.meaning.freshness import following_feed
from streams.meaning.kinds import kind_from_name
from streams.models import Action, ActionType, ActionTypeSighting, Fixture, Packet, action_payload
from streams.stored import Arrival, StoredPacket, StoreResult

# Every column of an action but its row id and its key (fixture, action id).
STATE_FIELDS = [
    f.name for f in Action._meta.concrete_fields if f.name not in ("id", "fixture", "action_id")
]


class ReferenceWriter:
    """Stores one fixture's packets like ``FixtureWriter.store``, with the ORM only."""

    def __init__(self, fixture_id: uuid.UUID, *, epoch: int | None = None) -> None:
        """``epoch``: the listener's fencing token; None: no fence."""
        self.fixture_id = fixture_id
        self.epoch = epoch

    def store(self, arrivals: Sequence[Arrival]) -> StoreResult:
        """Store packets in arrival order in one transaction; idempotent.

        A packet whose (actionId, fixtureSeqNum) is already stored, or came earlier in
        the batch, is a repeat: skipped, it takes no position. A packet without a
        fixtureSeqNum is never a repeat. Every other packet gets the next position, its
        action's new state (``rules.next_action_state``) and leaves the fixture with what
        it says (``rules.fixture_fields``). Raises ``LeaseLost``, storing nothing, when a
        later listener has taken the fixture over.
        """
        with transaction.atomic():
            fixture = Fixture.objects.select_for_update().get(pk=self.fixture_id)
            if self.epoch is not None and fixture.listener_epoch != self.epoch:
                raise LeaseLost(f"fixture {self.fixture_id} was taken over by another listener")

            new = self._new_arrivals(arrivals)
            if not new:
                return StoreResult(
                    repeats=len(arrivals),
                    next_position=fixture.packet_count,
                    finished=fixture.finished,
                    stop_requested=fixture.stop_requested,
                )

            states = self._stored_states({a.packet.action.action_id for a in new})
            changed: dict[str, dict[str, Any]] = {}
            fixture_changes: set[str] = set()
            packets: list[Packet] = []
            stored: list[StoredPacket] = []
            for arrival in new:
                packet = arrival.packet
                action_id = packet.action.action_id
                position = fixture.packet_count
                state = next_action_state(states.get(action_id), packet, position)
                states[action_id] = changed[action_id] = state
                for name, value in fixture_fields(packet).items():
                    setattr(fixture, name, value)
                    fixture_changes.add(name)
                fixture.last_position = position
                packets.append(
                    Packet(
                        fixture=fixture,
                        position=position,
                        payload=packet.payload,
                        raw=packet.text,
                        action_id=action_id,
                        fixture_seq_num=packet.action.fixture_seq_num,
                        received_at=arrival.received_at,
                    )
                )
                stored.append(
                    StoredPacket(
                        position,
                        packet,
                        arrival.received_at,
                        action_payload(action_id, state),
                        _payload_after(fixture, arrival.received_at),
                    )
                )

            Packet.objects.bulk_create(packets)
            Action.objects.bulk_create(
                [Action(fixture=fixture, action_id=a, **s) for a, s in changed.items()],
                update_conflicts=True,
                unique_fields=["fixture", "action_id"],
                update_fields=STATE_FIELDS,
            )
            fixture.last_frame_at = stored[-1].received_at
            written = [*sorted(fixture_changes), "last_position", "last_frame_at", "updated_at"]
            fixture.save(update_fields=written)
            kinds = self._record_catalogue(stored)
            return StoreResult(
                stored=stored,
                kinds=kinds,
                repeats=len(arrivals) - len(stored),
                next_position=fixture.packet_count,
                finished=fixture.finished,
                stop_requested=fixture.stop_requested,
            )

    def _new_arrivals(self, arrivals: Sequence[Arrival]) -> list[Arrival]:
        """The arrivals that are not repeats, in order."""
        seen = {
            (str(action_id), seq)
            for action_id, seq in Packet.objects.filter(
                fixture_id=self.fixture_id, fixture_seq_num__isnull=False
            ).values_list("action_id", "fixture_seq_num")
        }
        new = []
        for arrival in arrivals:
            key = arrival.packet.key
            if key[1] is not None:
                if key in seen:
                    continue
                seen.add(key)
            new.append(arrival)
        return new

    def _stored_states(self, action_ids: set[str]) -> dict[str, dict[str, Any]]:
        """The stored state of each of these actions that is stored, by action id."""
        actions = Action.objects.filter(fixture_id=self.fixture_id, action_id__in=action_ids)
        return {str(a.action_id): {f: getattr(a, f) for f in STATE_FIELDS} for a in actions}

    def _record_catalogue(self, stored: list[StoredPacket]) -> dict[int, str]:
        """Count the stored packets' types in the fixture's sightings and add their type ids
        to the catalogue; returns the catalogue's kinds of those ids as they were before."""
        type_ids = {s.packet.action.type_id for s in stored if s.packet.action.type_id is not None}
        kinds = dict(ActionType.objects.filter(type_id__in=type_ids).values_list("type_id", "kind"))
        for s in stored:
            action = s.packet.action
            if action.type_id is None and not action.type_name:
                continue  # a thin removal names no type
            self._sighted(action, s.received_at)
            if action.type_id is not None:
                _catalogue(action.type_id, action.type_name, s.received_at)
        return kinds

    def _sighted(self, action: ParsedAction, seen: dt.datetime) -> None:
        """One more packet of the fixture seen with the action's type and sub-type names."""
        sighting, created = ActionTypeSighting.objects.get_or_create(
            fixture_id=self.fixture_id,
            type_id=action.type_id,
            type_name=action.type_name,
            subtype_id=action.subtype_id,
            subtype_name=action.subtype_name,
            defaults={"count": 1, "first_seen": seen, "last_seen": seen},
        )
        if not created:
            sighting.count += 1
            sighting.last_seen = max(sighting.last_seen, seen)
            sighting.save(update_fields=["count", "last_seen"])


def _catalogue(type_id: int, name: str, seen: dt.datetime) -> None:
    """A type id seen on the feed: new to the catalogue, it gets the name it came with and
    the kind that name gives; known without a name, it takes this one, and its kind too
    unless staff set one. A name once given is kept."""
    known = ActionType.objects.filter(type_id=type_id).first()
    if known is None:
        ActionType.objects.create(
            type_id=type_id, name=name, kind=kind_from_name(name).value, first_seen=seen
        )
    elif not known.name and name:
        known.name = name
        if not known.kind_set_by_staff:
            known.kind = kind_from_name(name).value
        known.save(update_fields=["name", "kind"])


def _payload_after(fixture: Fixture, received_at: dt.datetime) -> dict[str, Any]:
    """The fixture's payload right after a packet received then: its feed followed."""
    payload = fixture.to_payload()
    payload["feed"] = following_feed(payload["feed"], received_at, payload)
    return payload
