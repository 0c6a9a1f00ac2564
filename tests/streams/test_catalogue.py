"""The action-type catalogue the ingest statement keeps, and the rows drawn with it."""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from streams import catalogue
from streams.dde.messages import DataPacket, parse_frame
from streams.feed.writer import store_packets
from streams.meaning.kinds import ActionKind, kind_from_name
from streams.models import Action, ActionType, ActionTypeSighting, Fixture
from streams.simulator import Match, MatchVariant, generate_match
from streams.simulator import catalog as ct
from streams.simulator.numbering import PROJECT_CHOSEN_TYPE_IDS, SHIFT, SHIFTED_NUMBERING
from tests.conftest import match_packets, store_match

pytestmark = pytest.mark.django_db

KICKOFF = dt.datetime(2025, 3, 1, 15, 0, tzinfo=dt.UTC)
NAMESPACE = uuid.UUID("0c7e5b1a-8d2f-4a3b-9e61-5f4d3c2b1a09")
FEATURES = ("has_disallowed_goal", "has_penalty_overturned", "has_card_upgrade")


@functools.cache
def rich_match() -> Match:
    """The first generated match (over a few deterministic ids) with a disallowed goal, an
    overturned penalty and an upgraded card: every removal reason the simulator sends."""
    for number in range(200):
        fixture_id = uuid.uuid5(NAMESPACE, f"rich/{number}")
        match = generate_match(fixture_id, KICKOFF)
        if all(getattr(match, feature) for feature in FEATURES):
            return match
    raise AssertionError(f"no generated match has all of {FEATURES}")


def sightings(fixture: Fixture) -> Counter[tuple[Any, ...]]:
    rows = ActionTypeSighting.objects.filter(fixture=fixture)
    return Counter(
        {
            (s.type_id, s.type_name, s.subtype_id, s.subtype_name): s.count
            for s in rows.order_by("id")
        }
    )


def named(packets: list[DataPacket]) -> Counter[tuple[Any, ...]]:
    """Packets by the type and sub-type they name (a thin removal may name none)."""
    return Counter(
        (p.action.type_id, p.action.type_name, p.action.subtype_id, p.action.subtype_name)
        for p in packets
        if p.action.type_id is not None or p.action.type_name
    )


def packet(fixture_id: uuid.UUID, seq: int, action_id: str, **action: Any) -> DataPacket:
    """One hand-written packet for the fixture, Confirmed in the first half by default."""
    payload = {
        "version": 3,
        "finished": False,
        "fixtureAction": {
            "actionId": action_id,
            "fixtureId": str(fixture_id),
            "period": 1,
            "clockTime": "30:00",
            "timestamp": "2026-11-24T15:30:00.000000Z",
            "fixtureSeqNum": seq,
            "timelineSequence": 1 + seq * 1e-12,
            "sendType": "Confirmed",
            "sendTypeId": 5,
            **action,
        },
    }
    parsed = parse_frame(json.dumps(payload))
    assert isinstance(parsed, DataPacket)
    return parsed


def typed(fixture_id: uuid.UUID, seq: int, type_id: int, name: str, **action: Any) -> DataPacket:
    return packet(
        fixture_id,
        seq,
        str(uuid.uuid4()),
        fixtureActionTypeId=type_id,
        fixtureActionType=name,
        **action,
    )


# What storing records


def test_storing_a_match_catalogues_every_type_it_sent_under_its_wire_name() -> None:
    match = rich_match()
    packets = match_packets(match)

    store_match(match)

    sent = {p.action.type_id: p.action.type_name for p in packets if p.action.type_id is not None}
    catalogued = {t.type_id: (t.name, t.kind) for t in ActionType.objects.all()}
    assert catalogued == {
        type_id: (name, kind_from_name(name).value) for type_id, name in sent.items()
    }
    # Every name the simulator sends is one of ours: nothing is left as "other".
    assert {type_id: ct.type_name(type_id) for type_id in sent} == sent
    assert ActionKind.OTHER.value not in {kind for _, kind in catalogued.values()}
    assert not ActionType.objects.filter(kind_set_by_staff=True).exists()


def test_the_sightings_count_every_stored_packet_that_names_a_type() -> None:
    match = rich_match()
    packets = match_packets(match)

    fixture = store_match(match)

    assert sightings(fixture) == named(packets)
    assert sightings(fixture).total() == fixture.packet_count


def test_storing_the_same_packets_again_counts_nothing() -> None:
    match = rich_match()
    packets = match_packets(match)
    fixture = store_match(match, packets[:300])
    before = sightings(fixture)
    last_seen = dict(ActionTypeSighting.objects.values_list("id", "last_seen"))

    result = store_packets(fixture.id, packets[:300], received_at=[KICKOFF] * 300)

    assert (result.repeats, result.stored) == (300, [])
    assert sightings(fixture) == before == named(packets[:300])
    assert dict(ActionTypeSighting.objects.values_list("id", "last_seen")) == last_seen


def test_storing_the_rest_later_adds_to_the_counts_and_moves_last_seen(
    make_fixture: Callable[..., Fixture],
) -> None:
    match = rich_match()
    packets = match_packets(match)
    first, rest = packets[:300], packets[300:]
    fixture = make_fixture(match.fixture_id)
    early, late = KICKOFF, KICKOFF + dt.timedelta(hours=1)

    store_packets(fixture.id, first, received_at=[early] * len(first))
    store_packets(fixture.id, rest, received_at=[late] * len(rest))

    assert sightings(fixture) == named(packets)
    in_both = set(named(first)) & set(named(rest))
    only_later = set(named(rest)) - set(named(first))
    assert in_both and only_later
    for s in ActionTypeSighting.objects.filter(fixture=fixture):
        key = (s.type_id, s.type_name, s.subtype_id, s.subtype_name)
        expected_first = late if key in only_later else early
        expected_last = late if key in in_both | only_later else early
        assert (s.first_seen, s.last_seen) == (expected_first, expected_last), key
    late_types = {p.action.type_id for p in rest} - {p.action.type_id for p in first}
    for t in ActionType.objects.all():
        assert t.first_seen == (late if t.type_id in late_types else early), t.type_id


def test_a_kind_staff_set_survives_later_packets_and_is_reported_with_them(
    make_fixture: Callable[..., Fixture],
) -> None:
    fixture = make_fixture()
    store_packets(fixture.id, [typed(fixture.id, 1, 987, "Cooling Break")])
    ActionType.objects.filter(type_id=987).update(kind="status_update", kind_set_by_staff=True)

    result = store_packets(
        fixture.id,
        [typed(fixture.id, 2, 987, "Cooling Break"), typed(fixture.id, 3, 988, "Water Break")],
    )

    assert ActionType.objects.get(type_id=987).kind == "status_update"
    # The batch's ids the catalogue already held; 988 was new to it in this very batch.
    assert result.kinds == {987: "status_update"}
    assert ActionType.objects.get(type_id=988).kind == "other"
    described = catalogue.describe_stored(fixture.id, result).stored
    assert [s.action["row"]["kind"] for s in described] == ["status_update", "other"]


def test_a_type_is_named_by_the_first_wire_name_it_came_with(
    make_fixture: Callable[..., Fixture],
) -> None:
    fixture = make_fixture()

    store_packets(fixture.id, [typed(fixture.id, 1, 987, "Cooling Break")])
    store_packets(fixture.id, [typed(fixture.id, 2, 987, "Goal")])

    assert (ActionType.objects.get().name, ActionType.objects.get().kind) == (
        "Cooling Break",
        "other",
    )
    assert sightings(fixture) == {(987, "Cooling Break", None, ""): 1, (987, "Goal", None, ""): 1}


def unnamed(fixture_id: uuid.UUID, seq: int, type_id: int) -> DataPacket:
    return packet(fixture_id, seq, str(uuid.uuid4()), fixtureActionTypeId=type_id)


def test_a_type_first_seen_without_a_name_takes_the_first_name_it_comes_with_later(
    make_fixture: Callable[..., Fixture],
) -> None:
    fixture = make_fixture()

    store_packets(fixture.id, [unnamed(fixture.id, 1, 987)])
    assert (ActionType.objects.get().name, ActionType.objects.get().kind) == ("", "other")
    store_packets(fixture.id, [typed(fixture.id, 2, 987, "Goal")])
    store_packets(fixture.id, [typed(fixture.id, 3, 987, "Cooling Break")])

    assert (ActionType.objects.get().name, ActionType.objects.get().kind) == ("Goal", "goal")


def test_a_batch_that_names_a_type_after_leaving_it_unnamed_catalogues_the_name(
    make_fixture: Callable[..., Fixture],
) -> None:
    fixture = make_fixture()

    store_packets(fixture.id, [unnamed(fixture.id, 1, 987), typed(fixture.id, 2, 987, "Goal")])

    assert (ActionType.objects.get().name, ActionType.objects.get().kind) == ("Goal", "goal")


def test_naming_a_type_later_keeps_the_kind_staff_set_on_it(
    make_fixture: Callable[..., Fixture],
) -> None:
    fixture = make_fixture()
    store_packets(fixture.id, [unnamed(fixture.id, 1, 987)])
    ActionType.objects.filter(type_id=987).update(kind="corner", kind_set_by_staff=True)

    store_packets(fixture.id, [typed(fixture.id, 2, 987, "Goal")])

    assert (ActionType.objects.get().name, ActionType.objects.get().kind) == ("Goal", "corner")


def test_a_type_with_a_name_nobody_listed_is_catalogued_as_other(
    make_fixture: Callable[..., Fixture],
) -> None:
    fixture = make_fixture()

    store_packets(fixture.id, [typed(fixture.id, 1, 4242, "Bicycle Flick 1")])

    catalogued = ActionType.objects.get()
    assert (catalogued.type_id, catalogued.name, catalogued.kind) == (
        4242,
        "Bicycle Flick 1",
        "other",
    )


def test_a_type_two_fixtures_share_is_catalogued_once_and_sighted_in_each(
    make_fixture: Callable[..., Fixture],
) -> None:
    one, two = make_fixture(), make_fixture()

    store_packets(one.id, [typed(one.id, 1, 987, "Cooling Break")])
    store_packets(two.id, [typed(two.id, 1, 987, "Cooling Break", fixtureActionSubTypeId=98701)])
    store_packets(two.id, [typed(two.id, 2, 988, "Water Break")])

    assert list(ActionType.objects.values_list("type_id", flat=True)) == [987, 988]
    assert sightings(one) == {(987, "Cooling Break", None, ""): 1}
    assert sightings(two) == {
        (987, "Cooling Break", 98701, ""): 1,
        (988, "Water Break", None, ""): 1,
    }
    assert set(catalogue.fixtures_showing([987])) == {one.id, two.id}
    assert catalogue.fixtures_showing([988]) == [two.id]
    assert catalogue.fixtures_showing([989]) == []
    assert set(catalogue.fixtures_showing([987, 988])) == {one.id, two.id}


def test_a_type_sent_by_name_alone_is_sighted_and_counted_but_not_catalogued(
    make_fixture: Callable[..., Fixture],
) -> None:
    fixture = make_fixture()
    nameless = [
        packet(fixture.id, seq, str(uuid.uuid4()), fixtureActionType="Cooling Break")
        for seq in (1, 2, 3)
    ]

    store_packets(fixture.id, nameless[:2])
    store_packets(fixture.id, nameless[2:])

    assert sightings(fixture) == {(None, "Cooling Break", None, ""): 3}
    assert not ActionType.objects.exists()


def test_load_kinds_reads_the_whole_catalogue(make_fixture: Callable[..., Fixture]) -> None:
    fixture = make_fixture()
    store_packets(
        fixture.id, [typed(fixture.id, 1, 4711, "Tor"), typed(fixture.id, 2, 100, "Goal")]
    )
    ActionType.objects.filter(type_id=4711).update(kind="goal", kind_set_by_staff=True)

    kinds = catalogue.load_kinds()

    assert kinds.of({"type_id": 4711, "type_name": "Tor"}) is ActionKind.GOAL
    assert kinds.of({"type_id": 100, "type_name": "Whatever"}) is ActionKind.GOAL
    assert sorted(kinds.ids_of([ActionKind.GOAL])) == [100, 4711]


# Rows of stored actions


def position_of(packets: list[DataPacket], type_id: int, send_type: str = "Confirmed") -> int:
    return next(
        i
        for i, p in enumerate(packets)
        if p.action.type_id == type_id and p.action.send_type == send_type
    )


def test_every_stored_packet_is_described_with_a_row() -> None:
    match = rich_match()
    packets = match_packets(match)
    fixture = store_match(match, [])

    result = catalogue.describe_stored(fixture.id, store_packets(fixture.id, packets))

    assert len(result.stored) == len(packets)
    assert all(set(s.action["row"]) >= {"kind", "icon", "title", "note"} for s in result.stored)
    assert {s.action["row"]["kind"] for s in result.stored} == {
        kind_from_name(p.action.type_name).value for p in packets
    }


def test_a_goal_disallowed_after_its_goal_was_removed_re_explains_the_goal() -> None:
    # The simulator sends Goal Disallowed and then the goal's deletion; here the deletion
    # comes first, so the Goal Disallowed is what changes the struck-through goal's reason.
    match = rich_match()
    packets = match_packets(match)
    disallowed_at = position_of(packets, ct.GOAL_DISALLOWED)
    disallowed = packets[disallowed_at]
    (goal_id,) = disallowed.action.related_action_ids
    deleted_at = next(
        i
        for i, p in enumerate(packets)
        if p.action.action_id == goal_id and p.action.send_type == "Deleted"
    )
    fixture = store_match(match, [*packets[:disallowed_at], packets[deleted_at]])
    before = catalogue.describe_actions(
        fixture.id,
        list(Action.objects.filter(fixture=fixture, action_id=goal_id)),
        all_of_them=False,
    )
    # Until then the review's outcome is all that explains the deletion.
    assert before[0]["row"]["note"] == "Overturned after a video check"

    result = catalogue.describe_stored(fixture.id, store_packets(fixture.id, [disallowed]))

    (stored,) = result.stored
    assert stored.action["row"]["kind"] == "goal_disallowed"
    assert [related["action_id"] for related in stored.related] == [goal_id]
    expected = f"Disallowed ({disallowed.action.subtype_name}) after a video check"
    assert stored.related[0]["row"]["note"] == expected
    assert stored.related[0]["row"]["state"] == "removed"


def test_a_goal_deleted_after_its_goal_disallowed_is_struck_through_with_the_reason() -> None:
    match = rich_match()
    packets = match_packets(match)
    disallowed = packets[position_of(packets, ct.GOAL_DISALLOWED)]
    (goal_id,) = disallowed.action.related_action_ids
    deleted_at = next(
        i
        for i, p in enumerate(packets)
        if p.action.action_id == goal_id and p.action.send_type == "Deleted"
    )
    fixture = store_match(match, packets[:deleted_at])

    result = catalogue.describe_stored(fixture.id, store_packets(fixture.id, [packets[deleted_at]]))

    (stored,) = result.stored
    assert stored.action["action_id"] == goal_id
    expected = f"Disallowed ({disallowed.action.subtype_name}) after a video check"
    assert (stored.action["row"]["state"], stored.action["row"]["note"]) == ("removed", expected)


def test_a_change_in_a_batch_carries_no_state_from_a_later_packet_of_the_batch(
    make_fixture: Callable[..., Fixture],
) -> None:
    # A burst (a catch-up after a reconnect) is stored in one transaction and broadcast
    # packet by packet: the Goal Disallowed's change must not show the goal as deleted,
    # since the goal's deletion is the next packet (describe_stored: "as they were right
    # after it").
    fixture = make_fixture()
    goal = str(uuid.uuid4())
    scored = packet(fixture.id, 1, goal, fixtureActionTypeId=100, fixtureActionType="Goal")
    disallowed = typed(
        fixture.id, 2, 111, "Goal Disallowed", fixtureActionSubType="Offside",
        relatedFixtureActionIds=[goal],
    )  # fmt: skip
    deleted = packet(
        fixture.id, 3, goal, fixtureActionTypeId=100, fixtureActionType="Goal",
        sendType="Deleted", sendTypeId=4,
    )  # fmt: skip

    result = catalogue.describe_stored(
        fixture.id, store_packets(fixture.id, [scored, disallowed, deleted])
    )

    later = {
        s.position: [(r["action_id"], r["last_position"]) for r in s.related]
        for s in result.stored
        if any(r["last_position"] > s.position for r in s.related)
    }
    assert later == {}
    assert result.stored[2].action["row"]["note"] == "Disallowed (Offside)"


def test_a_page_of_some_actions_reads_the_context_their_reasons_need() -> None:
    fixture = store_match(rich_match())
    actions = list(catalogue.timeline_actions(fixture.id))
    whole = catalogue.describe_actions(fixture.id, actions, all_of_them=True)
    removed = [a for a in actions if a.removed]

    page = catalogue.describe_actions(fixture.id, removed, all_of_them=False)

    by_id = {described["action_id"]: described for described in whole}
    assert [d["row"] for d in page] == [by_id[str(a.action_id)]["row"] for a in removed]
    notes = {d["row"]["note"] for d in page}
    assert "Overturned after a video check" in notes
    assert any(note.startswith("Disallowed (") for note in notes)


def test_the_explaining_actions_are_the_removed_the_checks_and_the_pointing_ones() -> None:
    fixture = store_match(rich_match())
    kinds = catalogue.load_kinds()
    checks = {ct.VIDEO_CHECK_UNDERWAY, ct.VIDEO_CHECK_OVER}

    explaining = catalogue.explaining_actions(fixture.id, kinds)

    expected = [
        str(a.action_id)
        for a in catalogue.timeline_actions(fixture.id)
        if a.removed or a.related_action_ids or a.type_id in checks
    ]
    assert [a["action_id"] for a in explaining] == expected
    assert len(expected) < fixture.actions.count()


# Renumbered type ids


def renumbered_copy(match: Match, fixture_id: uuid.UUID) -> list[DataPacket]:
    """The match's packets as another fixture's (its id swapped in the text)."""
    frames = [frame.replace(str(match.fixture_id), str(fixture_id)) for frame in match.frames]
    parsed = [parse_frame(frame) for frame in frames]
    return [p for p in parsed if isinstance(p, DataPacket)]


def page(fixture_id: uuid.UUID) -> list[dict[str, Any]]:
    actions = list(catalogue.timeline_actions(fixture_id))
    return catalogue.describe_actions(fixture_id, actions, all_of_them=True)


def test_a_renumbered_match_draws_the_same_page_but_for_its_type_ids(
    make_fixture: Callable[..., Fixture],
) -> None:
    as_sent = rich_match()
    shifted = generate_match(
        as_sent.fixture_id, KICKOFF, variant=MatchVariant(numbering=SHIFTED_NUMBERING)
    )
    store_match(as_sent)
    other = make_fixture(uuid.uuid4())
    store_packets(other.id, renumbered_copy(shifted, other.id))

    sent_page, shifted_page = page(as_sent.fixture_id), page(other.id)

    def without_ids(payload: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in payload.items() if k not in ("type_id", "subtype_id")}

    assert [without_ids(a) for a in shifted_page] == [without_ids(a) for a in sent_page]
    # The ids this project chose moved by SHIFT; those the vendor documents did not.
    sent_ids = {a["type_id"] for a in sent_page}
    moved = {
        (a["type_id"], b["type_id"])
        for a, b in zip(sent_page, shifted_page, strict=True)
        if a["type_id"] != b["type_id"]
    }
    assert moved == {(t, t + SHIFT) for t in sent_ids & PROJECT_CHOSEN_TYPE_IDS}
    assert (ct.GOAL, ct.GOAL + SHIFT) in moved
    # One catalogue holds both numberings, each id with the kind its name gives.
    goal_ids = ActionType.objects.filter(kind="goal").values_list("type_id", flat=True)
    assert sorted(goal_ids) == [ct.GOAL, ct.GOAL + SHIFT]
    assert {a["row"]["note"] for a in shifted_page} >= {"Overturned after a video check"}
