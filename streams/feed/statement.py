"""The fast path's one SQL statement and the decoding of its rows; nothing else writes this way.

A batch is written by ``write_batch`` in one statement, one round trip: update the fixture
row if it is as the writer planned against (same last position, same fencing epoch, same
fields staff may edit), and only then append the packets, upsert their actions and record
the catalogue's sightings. The rows go in as JSON documents read by
``jsonb_populate_recordset`` and the statement runs on a raw psycopg cursor, prepared once
per connection. ``read_fixture`` reads the fixture row the writer plans against, decoded as
the ORM would.

This is the densest code of the product, so it is fenced: ``streams.feed.reference_writer``
does the same with plain ORM calls, and tests/feed/test_reference_writer.py checks that random
packet sequences leave the same rows through both.

These transactions commit with ``synchronous_commit`` set to ``DDE_SYNCHRONOUS_COMMIT``
(off by default), for these transactions only, and the listener tells viewers of a packet
only once its commit has returned. Off, on one Postgres: if it crashes, the last few hundred
milliseconds of packets can vanish, but the listener dies with its connection and its
successor resumes from what is really stored, so the feed sends them again; nothing is lost
and a packet costs 0.2 ms less. With a standby that may be promoted, off is not enough:
viewers would have been told of commits the standby never received (measured by the cluster
harness, docs/reliability.md), so operators set it to on or remote_write with a synchronous
standby (docs/operations.md), and a commit returns only once the standby has it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import psycopg
from django.conf import settings
from django.db import connection
from django.utils import timezone

from streams.feed.rules import FEED_FIXTURE_FIELDS
from streams.jsontext import dumps
from streams.models import Action, ActionType, ActionTypeSighting, Fixture, Packet
from streams.stored import StoredPacket

ACTION_STATE_FIELDS = [
    f.name for f in Action._meta.concrete_fields if f.name not in ("id", "fixture", "action_id")
]


def _column(model: Any, name: str) -> str:
    return str(model._meta.get_field(name).column)


# Fields of the fixture's payload (``Fixture.to_payload``) that staff may edit in admin
# while its listener runs; the writer plans the others itself.
EDITABLE_FIELDS = [
    "name", "home_team", "away_team", "home_colour", "away_colour", "kickoff", "competition",
    "venue",
]  # fmt: skip
# What the writer reads of the fixture row: its payload, the stop flag and the epoch.
_FIXTURE_FIELDS = [
    "id", *EDITABLE_FIELDS, *FEED_FIXTURE_FIELDS, "last_position", "stop_requested",
    "listener_epoch",
]  # fmt: skip
_FIXTURE_COLUMNS = ", ".join(_column(Fixture, name) for name in _FIXTURE_FIELDS)
# The editable fields as one text, to tell whether staff changed any: as text, because
# reading a timestamp back cost a tenth of a one-packet transaction's time.
_EDITED = f"ROW({', '.join(_column(Fixture, name) for name in EDITABLE_FIELDS)})::text"
# The writer's epoch goes into the transaction's settings too (``dde.writer_epoch``): an
# audit trigger can then say which listener stored each packet, whatever the fixture row
# says, which is how the fault suite proves two listeners never stored at once.
WRITER_EPOCH_SETTING = "dde.writer_epoch"
_READ_FIXTURE = f"SELECT {_FIXTURE_COLUMNS}, {_EDITED} FROM {Fixture._meta.db_table} WHERE id = %s"
_LOCK_FIXTURE = _READ_FIXTURE + " FOR UPDATE"


def _insert_from_json(
    model: Any,
    fields: list[str],
    *,
    rows: str,
    where: str,
    update: list[str] | None = None,
    computed: dict[str, str] | None = None,
) -> str:
    """INSERT ... SELECT FROM jsonb_populate_recordset(one JSON array of rows): any number
    of rows in one statement and one parameter. One JSON text (written in C) replaces psycopg's
    per-element array quoting (Python), and one statement means few waits on the database,
    each of which hands the GIL to the thread parsing the feed for up to 5 ms."""
    columns = ", ".join(_column(model, name) for name in fields)
    values = ", ".join((computed or {}).get(name, _column(model, name)) for name in fields)
    sql = (
        f"INSERT INTO {model._meta.db_table} ({columns}) SELECT {values}"
        f" FROM jsonb_populate_recordset(NULL::{model._meta.db_table}, %({rows})s::jsonb) {where}"
    )
    if update:
        conflict = ", ".join(_column(model, name) for name in fields[: len(fields) - len(update)])
        sql += f" ON CONFLICT ({conflict}) DO UPDATE SET " + ", ".join(
            f"{_column(model, name)} = EXCLUDED.{_column(model, name)}" for name in update
        )
    return sql


_PACKET_FIELDS = [
    "fixture", "position", "payload", "raw", "action_id", "fixture_seq_num", "received_at",
]  # fmt: skip
# The frame's text goes once, as ``raw``, and jsonb is made of it in the statement; unless
# jsonb cannot hold it, when the row brings the JSON without what it cannot hold.
_PACKET_PAYLOAD = {"payload": "coalesce(payload, raw::jsonb)"}
_ACTION_COLUMNS = [_column(Action, name) for name in ACTION_STATE_FIELDS]
_WRITTEN = ", ".join(
    _column(Fixture, name)
    for name in (*FEED_FIXTURE_FIELDS, "last_position", "last_frame_at", "updated_at")
)
_IF_FIXTURE_WRITTEN = "WHERE EXISTS (SELECT FROM fixture)"
_SIGHTING_KEY = ["fixture", "type_id", "type_name", "subtype_id", "subtype_name"]
_SIGHTINGS = ActionTypeSighting._meta.db_table
_TYPES = ActionType._meta.db_table
# The catalogue (docs/action-types.md), kept by the same statement: each type and sub-type
# a packet names is counted per fixture, and a type id never seen before gets its row with
# the kind its name gives. A type first seen without a name takes the first name it is
# later seen with, and that name's kind unless staff have set one. New types come
# sorted by id, so two listeners adding the same ones wait for each other in one order and
# never deadlock.
_RECORD_SIGHTINGS = f"""
    INSERT INTO {_SIGHTINGS} AS s (fixture_id, type_id, type_name, subtype_id, subtype_name,
                                   count, first_seen, last_seen)
    SELECT fixture_id, type_id, type_name, subtype_id, subtype_name, count, first_seen,
           last_seen
    FROM jsonb_populate_recordset(NULL::{_SIGHTINGS}, %(sightings)s::jsonb) {_IF_FIXTURE_WRITTEN}
    ON CONFLICT ({", ".join(_column(ActionTypeSighting, name) for name in _SIGHTING_KEY)})
    DO UPDATE SET count = s.count + EXCLUDED.count,
                  last_seen = greatest(s.last_seen, EXCLUDED.last_seen)
"""
_RECORD_TYPES = f"""
    INSERT INTO {_TYPES} AS t (type_id, name, kind, kind_set_by_staff, first_seen)
    SELECT type_id, name, kind, false, first_seen
    FROM jsonb_populate_recordset(NULL::{_TYPES}, %(new_types)s::jsonb) {_IF_FIXTURE_WRITTEN}
    ORDER BY type_id
    ON CONFLICT (type_id) DO UPDATE
    SET name = EXCLUDED.name,
        kind = CASE WHEN t.kind_set_by_staff THEN t.kind ELSE EXCLUDED.kind END
    WHERE t.name = '' AND EXCLUDED.name <> ''
"""
# The kinds the catalogue holds for the batch's type ids, as they were before this
# statement: a type it adds is not visible yet, and its kind is the one its name gives.
_BATCH_KINDS = f"""
    SELECT coalesce(jsonb_object_agg(type_id, kind), '{{}}')
    FROM {_TYPES} WHERE type_id = ANY(%(type_ids)s::bigint[])
"""
# A whole transaction in one statement, so one round trip: the fixture row is updated
# only if it is as this writer planned against (same last position, same listener epoch,
# same editable fields: each packet's summary shows the names and colours as they were),
# and the packets and actions are written only if it was. Of the columns a feed writes,
# those the changes leave out keep their values (jsonb_populate_record fills them from the
# row itself); the stop flag and the editable fields as the batch left them come back. Run
# on its own it is its own transaction, committed as DDE_SYNCHRONOUS_COMMIT says (the
# module's docstring says why); a parameter, so one prepared statement serves every level.
_WRITE = f"""
WITH settings AS (
    SELECT set_config('synchronous_commit', %(synchronous_commit)s, true),
           set_config('{WRITER_EPOCH_SETTING}', %(epoch)s, true)
), fixture AS (
    UPDATE {Fixture._meta.db_table} AS f
    SET ({_WRITTEN}) = (SELECT {_WRITTEN} FROM jsonb_populate_record(f, %(changes)s::jsonb))
    WHERE f.id = %(fixture_id)s
      AND f.last_position IS NOT DISTINCT FROM %(after)s::integer
      AND (%(epoch)s = '' OR f.listener_epoch::text = %(epoch)s)
      AND {_EDITED} = %(edited)s
      AND EXISTS (SELECT FROM settings)
    RETURNING f.stop_requested, {_EDITED}
), packets AS (
    {
    _insert_from_json(
        Packet, _PACKET_FIELDS, rows="packets", where=_IF_FIXTURE_WRITTEN, computed=_PACKET_PAYLOAD
    )
}
), actions AS (
    {
    _insert_from_json(
        Action,
        ["fixture", "action_id", *ACTION_STATE_FIELDS],
        rows="actions",
        where=_IF_FIXTURE_WRITTEN,
        update=ACTION_STATE_FIELDS,
    )
}
), sightings AS ({_RECORD_SIGHTINGS}
), types AS ({_RECORD_TYPES}
)
SELECT fixture.*, ({_BATCH_KINDS}) FROM fixture
"""


@dataclass(frozen=True)
class FixtureRow:
    """What the writer knows of the fixture row."""

    payload: dict[str, Any]  # Fixture.to_payload()
    stop_requested: bool
    listener_epoch: int
    edited: str  # the EDITABLE_FIELDS as stored (_EDITED)

    @property
    def packet_count(self) -> int:
        last: int | None = self.payload["last_position"]
        return 0 if last is None else last + 1


@dataclass(frozen=True)
class Batch:
    """One transaction's worth of planned rows (``streams.feed.writer`` plans them)."""

    fixture_id: uuid.UUID
    epoch: int | None  # None: no fence
    edited: str  # the EDITABLE_FIELDS as planned against (FixtureRow.edited)
    stored: list[StoredPacket]
    states: dict[str, dict[str, Any]]  # action id -> its state fields after the batch
    fixture_changes: dict[str, Any]  # fixture field -> value, the feed's fields only
    sightings: list[dict[str, Any]]  # ActionTypeSighting rows, by column
    new_types: list[dict[str, Any]]  # ActionType rows offered to the catalogue, by column


@dataclass(frozen=True)
class BatchWritten:
    stop_requested: bool
    edited: str  # the EDITABLE_FIELDS as the statement left them
    kinds: dict[int, str]  # the catalogue's kinds of the batch's type ids, before it


def read_fixture(fixture_id: uuid.UUID, *, lock: bool) -> FixtureRow | None:
    """The fixture row as the writer plans against it; ``lock``: FOR UPDATE."""
    with _raw_cursor() as cursor:
        sql = _LOCK_FIXTURE if lock else _READ_FIXTURE
        row = cursor.execute(sql, [fixture_id], prepare=True).fetchone()
    return None if row is None else _fixture_from_row(row)


def write_batch(batch: Batch) -> BatchWritten | None:
    """Write the batch in one statement; None, writing nothing, when the fixture row is not
    as the batch was planned against (another writer, a later listener's epoch, an edit)."""
    with _raw_cursor() as cursor:
        row = cursor.execute(_WRITE, _parameters(batch), prepare=True).fetchone()
    if row is None:
        return None
    stop_requested, edited, kinds_json = row
    kinds = {int(type_id): kind for type_id, kind in orjson.loads(kinds_json).items()}
    return BatchWritten(stop_requested, edited, kinds)


def _parameters(batch: Batch) -> dict[str, Any]:
    first = batch.stored[0].position
    changes = {
        **batch.fixture_changes,
        "last_position": batch.stored[-1].position,
        "last_frame_at": batch.stored[-1].received_at.isoformat(),
        "updated_at": timezone.now().isoformat(),
    }
    fixture_id = str(batch.fixture_id)
    return {
        "synchronous_commit": settings.DDE_SYNCHRONOUS_COMMIT,
        "epoch": "" if batch.epoch is None else str(batch.epoch),
        "edited": batch.edited,
        "changes": dumps({_column(Fixture, k): v for k, v in changes.items()}),
        "fixture_id": batch.fixture_id,
        "after": first - 1 if first else None,
        "packets": orjson.dumps([_packet_row(fixture_id, s) for s in batch.stored]).decode(),
        "actions": dumps([_action_row(fixture_id, a, st) for a, st in batch.states.items()]),
        "sightings": dumps(batch.sightings),
        "new_types": dumps(batch.new_types),
        "type_ids": sorted({s["type_id"] for s in batch.sightings if s["type_id"] is not None}),
    }


def _packet_row(fixture_id: str, s: StoredPacket) -> dict[str, Any]:
    return {
        "fixture_id": fixture_id,
        "position": s.position,
        # As received: jsonb would normalise the text (key order, spacing, numbers).
        "raw": s.packet.text,
        "payload": None
        if s.packet.json_text is s.packet.text
        else orjson.Fragment(s.packet.json_text),
        "action_id": s.packet.action.action_id,
        "fixture_seq_num": s.packet.action.fixture_seq_num,
        "received_at": s.received_at.isoformat(),
    }


def _action_row(fixture_id: str, action_id: str, state: dict[str, Any]) -> dict[str, Any]:
    row = {"fixture_id": fixture_id, "action_id": action_id}
    for name, column in zip(ACTION_STATE_FIELDS, _ACTION_COLUMNS, strict=True):
        value = state[name]
        row[column] = value.isoformat() if isinstance(value, dt.datetime) else value
    return row


def _fixture_from_row(row: Sequence[Any]) -> FixtureRow:
    *values, edited = row
    fixture = Fixture(**dict(zip(_FIXTURE_FIELDS, _from_db(values), strict=True)))
    return FixtureRow(fixture.to_payload(), fixture.stop_requested, fixture.listener_epoch, edited)


_READ_FIELDS = [Fixture._meta.get_field(name) for name in _FIXTURE_FIELDS]


def _from_db(values: Sequence[Any]) -> list[Any]:
    """Column values as the ORM would give them: Django's psycopg setup leaves jsonb as
    text for JSONField to decode, and a raw cursor skips that step."""
    return [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(_READ_FIELDS, values, strict=True)
    ]


def _raw_cursor() -> psycopg.Cursor[Any]:
    """A psycopg cursor on Django's connection (inside its transaction), binding on the
    server: the hot path skips Django's client-side SQL composition. Its statements ask to
    be prepared (Django turns psycopg's automatic preparation off): planned once per
    connection, a live packet's transaction takes ≈ 1.0 ms instead of 1.3 ms back to back.
    A transaction-mode PgBouncer in front of Postgres needs version 1.21 or later for this."""
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    if raw.prepare_threshold is None:
        # psycopg ignores prepare=True without a threshold; one that nothing reaches keeps
        # every other statement on this connection unprepared, as Django set it.
        raw.prepare_threshold = _ONLY_WHEN_ASKED
    return psycopg.Cursor(raw)


_ONLY_WHEN_ASKED = 2**31 - 1
