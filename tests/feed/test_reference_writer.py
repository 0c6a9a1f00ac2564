"""The fast path against its specification: random packet sequences stored through
``FixtureWriter`` (one SQL statement, in-memory state) and through ``ReferenceWriter``
(plain ORM calls) leave the same rows and report the same results.

Each example is one scenario: a fixture's packets in random batches, with repeats, type
changes, removals and restores, sequence numbers out of order or missing, and staff
editing the fixture and the catalogue between batches. It is played once through each
writer, each time from the same initial rows (the catalogue is shared by all fixtures, so
the two plays cannot run side by side), and everything both wrote is compared.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import json
import pathlib
import pprint
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import streams
from streams.dde.messages import DataPacket, parse_frame
from streams.feed import writer as fast_writer
from streams.feed.locks import LeaseLost
from streams.feed.reference_writer import ReferenceWriter
from streams.feed.writer import FixtureWriter
from streams.meaning.kinds import ActionKind
from streams.models import Action, ActionType, ActionTypeSighting, Fixture, Packet
from streams.stored import Arrival, StoreResult
from tests.conftest import arrived

pytestmark = pytest.mark.django_db

SEND_TYPE_IDS = {"Pending": 1, "Updated": 2, "Cancelled": 3, "Deleted": 4, "Confirmed": 5}
NAMESPACE = uuid.UUID("5d0c3f4e-2a8b-4c71-9e3d-7b6a5f4e3d2c")
ACTION_IDS = [str(uuid.uuid5(NAMESPACE, f"action/{n}")) for n in range(5)]
KICKOFF = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)

# (fixtureActionTypeId, fixtureActionType); None leaves the key out. One id under several
# names, ids without a name, a name without an id, names nobody listed.
TYPES = [
    (100, "Goal"),
    (107, "Yellow Card"),
    (108, "Red Card"),
    (2, "Team Colours"),
    (22, "Status Updated"),
    (987, "Cooling Break"),
    (987, "Goal"),
    (987, None),
    (988, None),
    (988, "water break"),
    (None, "Drinks Break"),
    (None, None),
]
TYPE_IDS = sorted({t for t, _ in TYPES if t is not None})
TEAMS = [
    {"id": str(uuid.uuid5(NAMESPACE, "home")), "name": "Home", "homeTeam": True},
    {"id": str(uuid.uuid5(NAMESPACE, "away")), "name": "Away", "homeTeam": False},
]
COLOURS = ["", "5, 52, 13", "255, 0, 0"]

words = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=4,
)
colours = st.sampled_from(COLOURS[1:])
kickoffs = st.integers(-30, 30).map(lambda minutes: KICKOFF + dt.timedelta(minutes=minutes))
metadata = st.one_of(
    st.fixed_dictionaries({}, optional={"HomeTeamColour": colours, "awayteamcolour": colours}),
    st.fixed_dictionaries(
        {"coverageLevel": st.sampled_from([0, 1, 2, 7, "In Venue", "low latency stream"])}
    ),
    st.dictionaries(
        st.sampled_from(["note", "x"]),
        st.one_of(st.none(), st.booleans(), st.integers(-3, 3), words),
        max_size=2,
    ),
)
periods = st.lists(
    st.fixed_dictionaries(
        {"id": st.integers(1, 5)},
        optional={
            "label": st.sampled_from(["1H", "2H", "ET1"]),
            "type": st.sampled_from(["Regular", "ExtraTime"]),
            "start": st.sampled_from(["2026-11-24T15:00:00Z", "2026-11-24T16:00:00"]),
            "end": st.sampled_from(["2026-11-24T15:47:00Z", None]),
            "homeTeamScore": st.integers(0, 3),
            "awayTeamScore": st.integers(0, 3),
            "homeTeamPeriodScore": st.integers(0, 2),
            "awayTeamPeriodScore": st.integers(0, 2),
        },
    ),
    max_size=2,
)
summaries = st.none() | st.fixed_dictionaries(
    {},
    optional={
        "homeTeamScore": st.integers(0, 3),
        "awayTeamScore": st.integers(0, 3),
        "currentStatus": st.sampled_from(["Live", "live", "Completed", "Suspended", 1, "Odd"]),
        "currentPeriod": st.integers(0, 5),
        "currentClockTime": st.sampled_from(["00:00", "12:34", "90:00"]),
        "currentClockState": st.sampled_from(["running", "Stopped"]),
        "isHomeTeamInPossesion": st.booleans(),
        "collectionStatus": st.sampled_from(["CollectingLive", "collection suspended", 5]),
        "periods": periods,
        "finished": st.sampled_from([False, False, False, True]),
    },
)


@st.composite
def fixture_actions(draw: st.DrawFn, action_id: str, seq: int | None) -> dict[str, Any]:
    """One version of an action, as the ``fixtureAction`` object (without ``fixtureId``)."""
    send_type = draw(st.sampled_from(list(SEND_TYPE_IDS)))
    action: dict[str, Any] = {
        "actionId": action_id,
        "sendType": send_type,
        "sendTypeId": SEND_TYPE_IDS[send_type],
    }
    if seq is not None:
        action["fixtureSeqNum"] = seq
    # A thin removal says which action it removes and little else.
    if send_type in ("Cancelled", "Deleted") and draw(st.booleans()):
        return action
    type_id, type_name = draw(st.sampled_from(TYPES))
    if type_id is not None:
        action["fixtureActionTypeId"] = type_id
    if type_name is not None:
        action["fixtureActionType"] = type_name
    optional = {
        "period": st.integers(0, 5),
        "clockTime": st.sampled_from(["", "12:34", "90:00"]),
        # The same instant with two offsets, and a time that is not one.
        "timestamp": st.sampled_from(
            ["2026-11-24T15:00:00.000000Z", "2026-11-24T17:00:00+02:00", "soon"]
        ),
        "timelineSequence": st.floats(0, 5, allow_nan=False),
        "fixtureActionSubTypeId": st.sampled_from([10001, 2**63 - 1]),
        "fixtureActionSubType": st.sampled_from(["Inside Box", ""]),
        "team": st.sampled_from(TEAMS),
        "player": st.fixed_dictionaries({"id": st.sampled_from(["p1", "p2"]), "name": words}),
        "metadata": metadata,
        "relatedFixtureActionIds": st.lists(st.sampled_from(ACTION_IDS), max_size=2),
        "delayStatus": st.sampled_from(["DELAYED", "NOT_DELAYED"]),
    }
    action.update(draw(st.fixed_dictionaries({}, optional=optional)))
    return action


@dataclass(frozen=True)
class Spec:
    """A data packet for whichever fixture it is stored in (its id is filled in then)."""

    action: dict[str, Any]
    summary: dict[str, Any] | None
    finished: bool

    def packet(self, fixture_id: uuid.UUID) -> DataPacket:
        payload: dict[str, Any] = {
            "version": 3,
            "finished": self.finished,
            "fixtureAction": {**self.action, "fixtureId": str(fixture_id)},
        }
        if self.summary is not None:
            payload["fixtureSummary"] = self.summary
        parsed = parse_frame(json.dumps(payload))
        assert isinstance(parsed, DataPacket)
        return parsed


@dataclass(frozen=True)
class Scenario:
    initial: dict[str, Any]  # the fixture row's fields, for both plays
    catalogue: list[dict[str, Any]]  # ActionType rows there before the match
    epoch: int | None
    recent: int  # how many action states FixtureWriter keeps in memory
    load: bool  # the listener's writer reads the fixture before the first packet
    # ("listener" | "other", [(Spec, received_at)]) | ("staff", fields) | ("kind", (id, kind))
    steps: list[tuple[str, Any]]
    # A later listener takes the fixture over before one last batch: both writers refuse it.
    takeover: list[tuple[Spec, dt.datetime]] | None


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    seq = 0
    sent: list[Spec] = []
    action_ids = ACTION_IDS[: draw(st.integers(1, len(ACTION_IDS)))]

    def new_packet() -> Spec:
        nonlocal seq
        how = draw(st.sampled_from(["next", "next", "next", "skip", "earlier", "none"]))
        number: int | None
        if how == "next":
            seq += 1
            number = seq
        elif how == "skip":  # numbers missing in between
            seq += draw(st.integers(2, 4))
            number = seq
        elif how == "earlier":  # an older version arriving late, or a clash
            number = draw(st.integers(0, seq))
        else:
            number = None
        return Spec(
            draw(fixture_actions(draw(st.sampled_from(action_ids)), number)),
            draw(summaries),
            draw(st.sampled_from([False, False, False, False, True])),
        )

    def batch() -> list[tuple[Spec, dt.datetime]]:
        arrivals = []
        for _ in range(draw(st.integers(0, 5))):
            how = draw(st.sampled_from(["new", "new", "new", "repeat", "same key"]))
            if how == "new" or not sent:
                spec = new_packet()
            elif how == "repeat":  # exactly as sent before
                spec = draw(st.sampled_from(sent))
            else:  # another packet under an earlier packet's (actionId, fixtureSeqNum)
                earlier = draw(st.sampled_from(sent)).action
                other = new_packet()
                action = {**other.action, "actionId": earlier["actionId"]}
                action.pop("fixtureSeqNum", None)
                if "fixtureSeqNum" in earlier:
                    action["fixtureSeqNum"] = earlier["fixtureSeqNum"]
                spec = Spec(action, other.summary, other.finished)
            sent.append(spec)
            # Arrival times need not rise; some have no fraction of a second.
            at = KICKOFF + dt.timedelta(
                seconds=draw(st.integers(0, 5400)),
                microseconds=draw(st.sampled_from([0, 1, 500_000])),
            )
            arrivals.append((spec, at))
        return arrivals

    steps: list[tuple[str, Any]] = []
    for _ in range(draw(st.integers(1, 6))):
        step = draw(st.sampled_from(["listener", "listener", "listener", "other", "staff", "kind"]))
        if step in ("listener", "other"):
            steps.append((step, batch()))
        elif step == "staff":
            fields = st.fixed_dictionaries(
                {},
                optional={
                    "name": st.sampled_from(["", "Derby"]),
                    "home_team": st.sampled_from(["Home", "Renamed FC"]),
                    "away_team": st.sampled_from(["Away", "Visitors"]),
                    "kickoff": kickoffs,
                    "home_colour": st.sampled_from(COLOURS),
                    "away_colour": st.sampled_from(COLOURS),
                    "competition": st.sampled_from(["", "Cup"]),
                    "venue": st.sampled_from(["", "Ground"]),
                    "stop_requested": st.booleans(),
                },
            )
            steps.append((step, draw(fields)))
        else:
            kind = draw(st.sampled_from(list(ActionKind))).value
            steps.append((step, (draw(st.sampled_from(TYPE_IDS)), kind)))

    catalogue = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "type_id": st.sampled_from(TYPE_IDS),
                    "name": st.sampled_from(["", "Goal", "Cooling Break"]),
                    "kind": st.sampled_from(["goal", "other", "corner"]),
                    "kind_set_by_staff": st.booleans(),
                }
            ),
            max_size=3,
            unique_by=lambda t: t["type_id"],
        )
    )
    initial = draw(
        st.fixed_dictionaries(
            {
                "name": st.sampled_from(["", "Derby"]),
                "home_colour": st.sampled_from(COLOURS),
                "away_colour": st.sampled_from(COLOURS),
                "coverage_level": st.sampled_from(["", "In Venue"]),
                "competition": st.sampled_from(["", "League"]),
                "venue": st.sampled_from(["", "Stadium"]),
            }
        )
    )
    epoch = draw(st.none() | st.integers(0, 3))
    return Scenario(
        initial=initial,
        catalogue=catalogue,
        epoch=epoch,
        recent=draw(st.sampled_from([1, 2, fast_writer.RECENT_ACTIONS])),
        load=draw(st.booleans()),
        steps=steps,
        takeover=batch() if epoch is not None and draw(st.booleans()) else None,
    )


# Playing a scenario


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Everything inside is undone afterwards (a savepoint in the test's transaction)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def create_fixture(epoch: int | None = None, **initial: Any) -> Fixture:
    """A fixture with a new id; every other field the same whenever it is called."""
    fixture = Fixture.objects.create(
        id=uuid.uuid4(),
        home_team="Home",
        away_team="Away",
        kickoff=KICKOFF,
        listen_from=KICKOFF - dt.timedelta(minutes=30),
        listen_until=KICKOFF + dt.timedelta(hours=4),
        listener_epoch=epoch or 0,
        **initial,
    )
    Fixture.objects.filter(pk=fixture.pk).update(created_at=KICKOFF - dt.timedelta(days=1))
    return fixture


def normal(value: Any, fixture_id: uuid.UUID) -> Any:
    """A value with the fixture's id replaced, so that two fixtures' rows compare."""
    if isinstance(value, dict):
        return {k: normal(v, fixture_id) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normal(v, fixture_id) for v in value]
    if isinstance(value, str):  # Packet.raw holds the id inside the packet's text
        return value.replace(str(fixture_id), "<fixture>")
    return "<fixture>" if value == fixture_id else value


def result_of(result: StoreResult, fixture_id: uuid.UUID) -> dict[str, Any]:
    return normal(
        {
            "stored": [
                {
                    "position": s.position,
                    "packet": s.packet.payload,
                    "received_at": s.received_at,
                    "action": s.action,
                    "fixture": s.fixture,
                    "related": s.related,
                }
                for s in result.stored
            ],
            "repeats": result.repeats,
            "next_position": result.next_position,
            "finished": result.finished,
            "stop_requested": result.stop_requested,
            "kinds": result.kinds,
        },
        fixture_id,
    )


def columns(model: Any, *leave_out: str) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.name not in ("id", *leave_out)]


def rows_of(fixture_id: uuid.UUID) -> dict[str, Any]:
    """Every row the writers write for the fixture, and the whole catalogue."""
    packets = Packet.objects.filter(fixture_id=fixture_id).order_by("position")
    actions = Action.objects.filter(fixture_id=fixture_id).order_by("action_id")
    sightings = ActionTypeSighting.objects.filter(fixture_id=fixture_id)
    key = ("type_id", "type_name", "subtype_id", "subtype_name")
    return normal(
        {
            "packets": list(packets.values(*columns(Packet, "fixture"))),
            "actions": list(actions.values(*columns(Action, "fixture"))),
            "fixture": Fixture.objects.filter(pk=fixture_id)
            .values(*columns(Fixture, "updated_at"))
            .get(),
            "sightings": sorted(
                sightings.values(*columns(ActionTypeSighting, "fixture")),
                key=lambda s: repr([s[k] for k in key]),
            ),
            "catalogue": list(ActionType.objects.order_by("type_id").values(*columns(ActionType))),
        },
        fixture_id,
    )


Writer = Callable[..., Any]  # FixtureWriter or ReferenceWriter


def play(scenario: Scenario, writer: Writer) -> dict[str, Any]:
    """The scenario stored through one kind of writer: what each batch returned, and the
    rows at the end. Undone afterwards."""
    with rolled_back(), mock.patch.object(fast_writer, "RECENT_ACTIONS", scenario.recent):
        ActionType.objects.all().delete()
        for row in scenario.catalogue:
            ActionType.objects.create(first_seen=KICKOFF - dt.timedelta(days=7), **row)
        fixture = create_fixture(scenario.epoch, **scenario.initial)
        listener = writer(fixture.id, epoch=scenario.epoch)
        if scenario.load and isinstance(listener, FixtureWriter):
            listener.load()
        results: list[Any] = []
        for step, value in scenario.steps:
            if step in ("listener", "other"):
                # "other": someone else stores a batch (another writer, a listener before).
                store = listener if step == "listener" else writer(fixture.id, epoch=scenario.epoch)
                arrivals = [Arrival(spec.packet(fixture.id), at) for spec, at in value]
                results.append(result_of(store.store(arrivals), fixture.id))
            elif step == "staff":
                Fixture.objects.filter(pk=fixture.pk).update(**value)
            else:
                type_id, kind = value
                ActionType.objects.filter(type_id=type_id).update(kind=kind, kind_set_by_staff=True)
        if scenario.takeover is not None:
            Fixture.objects.filter(pk=fixture.pk).update(listener_epoch=F("listener_epoch") + 1)
            arrivals = [Arrival(spec.packet(fixture.id), at) for spec, at in scenario.takeover]
            with pytest.raises(LeaseLost):  # even when it holds nothing new
                listener.store(arrivals)
        return {"results": results, "rows": rows_of(fixture.id)}


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenarios())
def test_random_packet_sequences_leave_the_same_rows_through_both_writers(
    scenario: Scenario,
) -> None:
    note(pprint.pformat(scenario, width=100))
    fast = play(scenario, FixtureWriter)
    plain = play(scenario, ReferenceWriter)
    assert fast["results"] == plain["results"]
    assert fast["rows"] == plain["rows"]


def test_nothing_in_the_product_imports_the_reference_writer() -> None:
    root = pathlib.Path(streams.__file__).parent
    importers = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or "", *(f"{node.module}.{a.name}" for a in node.names)]
            if any(name.endswith("reference_writer") for name in names):
                importers.append(path.relative_to(root).as_posix())
    assert importers == []


# Discrepancies the property found, each fixed in FixtureWriter


def plain(fixture_id: uuid.UUID, action_id: str, seq: int, **action: Any) -> DataPacket:
    fields = {"actionId": action_id, "sendType": "Confirmed", "fixtureSeqNum": seq, **action}
    return Spec(fields, None, False).packet(fixture_id)


@pytest.fixture
def fixture() -> Fixture:
    return create_fixture(epoch=1)


def test_a_batch_of_repeats_is_answered_from_the_row_not_from_memory(fixture: Fixture) -> None:
    # It used to report the writer's memory: the next position before someone else stored,
    # no stop request, and no LeaseLost for a listener taken over.
    writer = FixtureWriter(fixture.id, epoch=1)
    first = plain(fixture.id, ACTION_IDS[0], 1)
    writer.store(arrived([first]))
    FixtureWriter(fixture.id, epoch=1).store(arrived([plain(fixture.id, ACTION_IDS[1], 2)]))

    again = writer.store(arrived([first]))

    assert (again.stored, again.repeats, again.next_position) == ([], 1, 2)
    Fixture.objects.filter(pk=fixture.pk).update(stop_requested=True)
    assert writer.store(arrived([first])).stop_requested
    Fixture.objects.filter(pk=fixture.pk).update(listener_epoch=2)
    with pytest.raises(LeaseLost):
        writer.store(arrived([first]))


def test_colours_staff_set_between_batches_show_in_the_next_batchs_summaries(
    fixture: Fixture,
) -> None:
    # The summaries of the next batch used to show the colours the writer remembered.
    writer = FixtureWriter(fixture.id)
    writer.store(arrived([plain(fixture.id, ACTION_IDS[0], 1)]))
    Fixture.objects.filter(pk=fixture.pk).update(home_colour="1, 2, 3", home_team="Renamed FC")

    result = writer.store(
        arrived(
            [
                plain(fixture.id, ACTION_IDS[1], 2),
                plain(fixture.id, ACTION_IDS[2], 3, metadata={"HomeTeamColour": "255, 0, 0"}),
            ]
        )
    )

    shown = [(s.fixture["home_team"], s.fixture["home_colour"]) for s in result.stored]
    assert shown == [("Renamed FC", "1, 2, 3"), ("Renamed FC", "255, 0, 0")]
    fixture.refresh_from_db()
    assert (fixture.home_team, fixture.home_colour) == ("Renamed FC", "255, 0, 0")
    later = writer.store(arrived([plain(fixture.id, ACTION_IDS[3], 4)]))
    assert later.stored[0].fixture["home_colour"] == "255, 0, 0"


def test_the_summaries_carry_the_competition_and_venue_as_staff_last_set_them(
    fixture: Fixture,
) -> None:
    Fixture.objects.filter(pk=fixture.pk).update(competition="League", venue="Old Ground")
    writer = FixtureWriter(fixture.id)
    first = writer.store(arrived([plain(fixture.id, ACTION_IDS[0], 1)]))
    Fixture.objects.filter(pk=fixture.pk).update(competition="Cup", venue="New Ground")
    second = writer.store(arrived([plain(fixture.id, ACTION_IDS[1], 2)]))
    shown = [
        (s.fixture["competition"], s.fixture["venue"]) for s in (*first.stored, *second.stored)
    ]
    assert shown == [("League", "Old Ground"), ("Cup", "New Ground")]
