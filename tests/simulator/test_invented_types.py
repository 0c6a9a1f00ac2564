"""``--invent-types N``: actions of types nobody has seen, without changing the match."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from streams.simulator import MatchVariant, generate_match
from streams.simulator import catalog as ct
from streams.simulator.invented import invented_types
from streams.simulator.numbering import SHIFTED_NUMBERING

KICKOFF = dt.datetime(2025, 3, 8, 15, 0, tzinfo=dt.UTC)
NAMESPACE = uuid.UUID("0c7e4d2a-6b1f-4e7a-a3c9-5d8b2f1e0a33")
COUNT = 4
# Fields that number a packet within the match: inserting packets moves them on.
POSITIONAL = ("fixtureSeqNum", "timelineSequence")


def fixture(number: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"invented-{number}")


def is_invented(packet: dict[str, Any]) -> bool:
    type_id: int = packet["fixtureAction"]["fixtureActionTypeId"]
    return type_id >= 90000


def comparable(packet: dict[str, Any]) -> dict[str, Any]:
    action = {k: v for k, v in packet["fixtureAction"].items() if k not in POSITIONAL}
    return {"fixtureAction": action, "fixtureSummary": packet["fixtureSummary"]}


def test_invented_types_have_new_names_and_ids_from_90000() -> None:
    types = invented_types(COUNT)
    assert [action.id for action in types] == [90000, 90001, 90002, 90003]
    names = [action.name for action in types]
    assert len(set(names)) == COUNT
    known = {action.name for action in ct.ACTION_TYPES.values()}
    known |= {name for action in ct.ACTION_TYPES.values() for name in action.sub_types.values()}
    assert known.isdisjoint(names)
    assert all(action.sub_types == {} for action in types)
    # A longer list starts with the shorter one: an id keeps its name.
    assert invented_types(COUNT + 3)[:COUNT] == types


def test_every_invented_type_is_sent_confirmed_with_a_team_while_the_clock_runs() -> None:
    for number in range(5):
        match = generate_match(fixture(number), KICKOFF, variant=MatchVariant(invent_types=COUNT))
        invented = [packet for packet in match.packets if is_invented(packet)]
        names = {action.id: action.name for action in invented_types(COUNT)}
        assert {p["fixtureAction"]["fixtureActionTypeId"] for p in invented} == set(names)
        for packet in invented:
            item = packet["fixtureAction"]
            assert item["fixtureActionType"] == names[item["fixtureActionTypeId"]]
            assert item["sendType"] == "Confirmed" and item["period"] in (1, 2)
            assert set(item["team"]) == {"id", "name", "homeTeam"}
            assert "fixtureActionSubTypeId" not in item
            assert packet["fixtureSummary"]["currentClockState"] == "running"
            assert packet["fixtureSummary"]["currentStatus"] == "Live"


def test_invented_actions_leave_the_rest_of_the_match_and_its_score_unchanged() -> None:
    for number in range(5):
        plain = generate_match(fixture(number), KICKOFF)
        varied = generate_match(fixture(number), KICKOFF, variant=MatchVariant(invent_types=COUNT))
        kept = [packet for packet in varied.packets if not is_invented(packet)]
        assert len(varied.packets) > len(plain.packets)
        assert [comparable(p) for p in kept] == [comparable(p) for p in plain.packets]
        assert varied.packets[-1]["fixtureSummary"] == plain.packets[-1]["fixtureSummary"]
        seqs = [packet["fixtureAction"]["fixtureSeqNum"] for packet in varied.packets]
        assert seqs == list(range(1, len(seqs) + 1))


def test_invented_types_are_the_same_for_a_seed_and_keep_their_ids_when_shifted() -> None:
    variant = MatchVariant(SHIFTED_NUMBERING, invent_types=2)
    first = generate_match(fixture(0), KICKOFF, variant=variant)
    assert first.frames == generate_match(fixture(0), KICKOFF, variant=variant).frames
    ids = {p["fixtureAction"]["fixtureActionTypeId"] for p in first.packets if is_invented(p)}
    assert ids == {90000, 90001}
    other = generate_match(fixture(1), KICKOFF, variant=variant)
    moments = [p["fixtureAction"]["clockTime"] for p in first.packets if is_invented(p)]
    assert moments != [p["fixtureAction"]["clockTime"] for p in other.packets if is_invented(p)]
