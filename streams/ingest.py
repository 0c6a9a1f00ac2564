"""Storing packets: the raw log, action state and fixture summary in one transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from streams.dde.messages import DataPacket
from streams.locks import Lease, assert_lease_held
from streams.models import Action, Fixture, Packet, RejectedFrame
from streams.state import fixture_fields, next_action_state

_ACTION_STATE_FIELDS = [
    f.name for f in Action._meta.concrete_fields if f.name not in ("id", "fixture", "action_id")
]


@dataclass(frozen=True)
class StoredPacket:
    position: int
    packet: DataPacket
    received_at: dt.datetime


@dataclass(frozen=True)
class StoreResult:
    stored: list[StoredPacket] = field(default_factory=list)
    repeats: int = 0
    next_position: int = 0
    finished: bool = False
    stop_requested: bool = False


def store_packets(
    fixture_id: uuid.UUID,
    packets: Sequence[DataPacket],
    *,
    lease: Lease | None = None,
    received_at: Sequence[dt.datetime] | None = None,
) -> StoreResult:
    """Store packets in arrival order in one transaction; idempotent.

    A packet whose (actionId, fixtureSeqNum) is already stored is a repeat: it is skipped
    and takes no position. New packets get the next positions; their actions are upserted
    and the fixture takes the latest summary. ``received_at`` gives each packet's arrival
    time (default: now). With a lease, raises ``LeaseLost`` (and stores nothing) when this
    process no longer holds the fixture's lock.
    """
    arrivals = list(received_at) if received_at else [timezone.now()] * len(packets)
    with transaction.atomic():
        if lease is not None:
            assert_lease_held(lease)
        # The row lock serialises writers of one fixture even if two ever raced.
        fixture = Fixture.objects.select_for_update().get(pk=fixture_id)
        new, repeats = _drop_repeats(fixture, list(zip(packets, arrivals, strict=True)))
        stored = _append_to_log(fixture, new)
        if stored:
            _upsert_actions(fixture, stored)
            _update_fixture(fixture, stored)
    return StoreResult(
        stored=stored,
        repeats=repeats,
        next_position=fixture.packet_count,
        finished=fixture.finished,
        stop_requested=fixture.stop_requested,
    )


Arrival = tuple[DataPacket, dt.datetime]


def _drop_repeats(fixture: Fixture, packets: list[Arrival]) -> tuple[list[Arrival], int]:
    action_ids = {p.action.action_id for p, _ in packets}
    seen = set(
        Packet.objects.filter(fixture=fixture, action_id__in=action_ids).values_list(
            "action_id", "fixture_seq_num"
        )
    )
    seen_keys = {(str(action_id), seq) for action_id, seq in seen}
    new: list[Arrival] = []
    for packet, arrived in packets:
        key = packet.key
        # Without a fixtureSeqNum a version cannot be told apart from a repeat; keep it.
        if key[1] is not None and key in seen_keys:
            continue
        seen_keys.add(key)
        new.append((packet, arrived))
    return new, len(packets) - len(new)


def _append_to_log(fixture: Fixture, packets: list[Arrival]) -> list[StoredPacket]:
    first = fixture.packet_count
    stored = [StoredPacket(first + i, p, at) for i, (p, at) in enumerate(packets)]
    Packet.objects.bulk_create(
        Packet(
            fixture=fixture,
            position=s.position,
            payload=s.packet.payload,
            action_id=s.packet.action.action_id,
            fixture_seq_num=s.packet.action.fixture_seq_num,
            received_at=s.received_at,
        )
        for s in stored
    )
    return stored


def _upsert_actions(fixture: Fixture, stored: list[StoredPacket]) -> None:
    ids = {s.packet.action.action_id for s in stored}
    states: dict[str, dict[str, Any]] = {
        str(row["action_id"]): row
        for row in Action.objects.filter(fixture=fixture, action_id__in=ids).values(
            "action_id", *_ACTION_STATE_FIELDS
        )
    }
    for s in stored:
        action_id = s.packet.action.action_id
        states[action_id] = next_action_state(states.get(action_id), s.packet, s.position)
    rows = [
        Action(fixture=fixture, action_id=action_id, **_state_columns(state))
        for action_id, state in states.items()
    ]
    Action.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["fixture", "action_id"],
        update_fields=_ACTION_STATE_FIELDS,
    )


def _state_columns(state: dict[str, Any]) -> dict[str, Any]:
    return {name: state[name] for name in _ACTION_STATE_FIELDS}


def _update_fixture(fixture: Fixture, stored: list[StoredPacket]) -> None:
    changes: dict[str, Any] = {}
    for s in stored:
        changes.update(fixture_fields(s.packet))
    changes["last_position"] = stored[-1].position
    changes["last_frame_at"] = stored[-1].received_at
    for name, value in changes.items():
        setattr(fixture, name, value)
    fixture.save(update_fields=[*changes, "updated_at"])


def record_rejected_frame(
    fixture_id: uuid.UUID, *, frame: str, size: int, reason: str, after_position: int | None
) -> RejectedFrame:
    """Keep a frame that could not be used, with the reason; it takes no position."""
    return RejectedFrame.objects.create(
        fixture_id=fixture_id,
        received_at=timezone.now(),
        frame=frame,
        size=size,
        reason=reason,
        after_position=after_position,
    )
