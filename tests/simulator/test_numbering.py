"""``--type-ids``: the ids this project chose can be served under other numbers."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from streams.simulator import MatchVariant, Schedule, cli, generate_match
from streams.simulator import catalog as ct
from streams.simulator.numbering import (
    DEFAULT_NUMBERING,
    SHIFTED_NUMBERING,
    VENDOR_DOCUMENTED_TYPE_IDS,
    NumberingError,
    load_mapping,
    parse_type_ids,
    shifted_sub_type_id,
    shifted_type_id,
)
from tests.simulator.client import open_stream, packet_frames
from tests.simulator.conftest import StartServer

KICKOFF = dt.datetime(2025, 3, 8, 15, 0, tzinfo=dt.UTC)
FIXTURE = uuid.UUID("5e0d7c1a-90b4-4b8e-8f6f-2a7c3d9e1b42")
ROOT = Path(__file__).resolve().parents[2]
# docs/dde-protocol.md §7.1 (soccer) and §7.2 (shared across sports), as written there.
DOCUMENTED = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 22, 51, 64, 106, 107, 133, 134}
ID_FIELDS = ("fixtureActionTypeId", "fixtureActionSubTypeId")


def without_ids(packet: dict[str, Any]) -> dict[str, Any]:
    action = {key: value for key, value in packet["fixtureAction"].items() if key not in ID_FIELDS}
    return {**packet, "fixtureAction": action}


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "mapping.json"
    path.write_text(content, encoding="utf-8")
    return path


def test_the_vendor_documented_ids_are_those_of_the_protocol_notes() -> None:
    assert VENDOR_DOCUMENTED_TYPE_IDS == DOCUMENTED


def test_shifting_moves_exactly_the_ids_this_project_chose_and_their_sub_types() -> None:
    for type_id, action in ct.ACTION_TYPES.items():
        expected = type_id if type_id in DOCUMENTED else type_id + 1000
        assert shifted_type_id(type_id) == expected
        for sub_type_id in action.sub_types:
            assert shifted_sub_type_id(sub_type_id) == expected * 100 + sub_type_id % 100
    assert shifted_sub_type_id(ct.VAR_DECISION_OVERTURNED) == 105202
    assert shifted_sub_type_id(ct.VAR_OTHER) == 5104
    assert shifted_type_id(90000) == 90000  # not a catalogue id: left alone


def test_the_default_numbering_gives_the_same_bytes_as_no_variant() -> None:
    plain = generate_match(FIXTURE, KICKOFF)
    default = generate_match(FIXTURE, KICKOFF, variant=MatchVariant(DEFAULT_NUMBERING))
    assert default.frames == plain.frames
    assert {p["fixtureAction"]["fixtureActionTypeId"] for p in plain.packets} <= set(
        ct.ACTION_TYPES
    )


def test_a_shifted_match_differs_from_the_default_only_in_the_renumbered_ids() -> None:
    plain = generate_match(FIXTURE, KICKOFF)
    shifted = generate_match(FIXTURE, KICKOFF, variant=MatchVariant(SHIFTED_NUMBERING))
    assert len(shifted.packets) == len(plain.packets)
    moved = set()
    for before, after in zip(plain.packets, shifted.packets, strict=True):
        assert without_ids(after) == without_ids(before)
        old, new = before["fixtureAction"], after["fixtureAction"]
        assert new["fixtureActionTypeId"] == shifted_type_id(old["fixtureActionTypeId"])
        if "fixtureActionSubTypeId" in old:
            sub_type = old["fixtureActionSubTypeId"]
            assert new["fixtureActionSubTypeId"] == shifted_sub_type_id(sub_type)
            assert new["fixtureActionSubTypeId"] // 100 == new["fixtureActionTypeId"]
        if new["fixtureActionTypeId"] != old["fixtureActionTypeId"]:
            moved.add(old["fixtureActionTypeId"])
    assert moved and moved.isdisjoint(DOCUMENTED)
    assert {ct.GOAL, ct.FOUL, ct.VIDEO_CHECK_OVER} <= moved


def test_a_mapping_file_renumbers_the_types_it_lists_and_no_others(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"101": 7001, "52": 7052, "107": 7107}))
    mapped = generate_match(FIXTURE, KICKOFF, variant=MatchVariant(load_mapping(path)))
    plain = generate_match(FIXTURE, KICKOFF)
    expected = {ct.SHOT_ON_TARGET: 7001, ct.VIDEO_CHECK_OVER: 7052, ct.YELLOW_CARD: 7107}
    for before, after in zip(plain.packets, mapped.packets, strict=True):
        old, new = before["fixtureAction"], after["fixtureAction"]
        type_id = expected.get(old["fixtureActionTypeId"], old["fixtureActionTypeId"])
        assert new["fixtureActionTypeId"] == type_id
        assert new["fixtureActionType"] == old["fixtureActionType"]
        if "fixtureActionSubTypeId" in old:
            n = old["fixtureActionSubTypeId"] % 100
            assert new["fixtureActionSubTypeId"] == type_id * 100 + n
    sub_types = {p["fixtureAction"].get("fixtureActionSubTypeId") for p in mapped.packets}
    assert any(sub_type and sub_type // 100 == 7107 for sub_type in sub_types)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "is not valid JSON"),
        ("[101, 7001]", "must be a JSON object of old id to new id, not list"),
        ('{"shot": 7001}', "has a key 'shot' that is not a type id"),
        ('{"999": 7001}', "maps type 999, which the simulator never sends"),
        ('{"101": "7001"}', "maps type 101 to '7001', which is not a positive whole number"),
        ('{"101": true}', "maps type 101 to True, which is not a positive whole number"),
        ('{"101": 0}', "maps type 101 to 0, which is not a positive whole number"),
        ('{"101": 90001}', "ids from 90000 up are kept for --invent-types"),
        ('{"101": 102}', "would send both type 101 and type 102 as 102"),
    ],
)
def test_a_bad_mapping_file_gets_one_sentence_naming_the_problem(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(NumberingError) as caught:
        parse_type_ids(str(path))
    message = str(caught.value)
    assert problem in message and str(path) in message
    assert "\n" not in message


def test_a_missing_mapping_file_says_it_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(NumberingError, match=r"cannot read the type id mapping .*No such file"):
        parse_type_ids(str(tmp_path / "absent.json"))


def test_the_command_line_takes_the_numbering_and_the_invented_types(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    options = vars(parser.parse_args(["--type-ids", "shifted", "--invent-types", "3"]))
    variant = cli.build(options).schedule.variant
    assert (variant.numbering, variant.invent_types) == (SHIFTED_NUMBERING, 3)
    # call_command passes strings without parsing them.
    assert cli.variant_from_options({"type_ids": "shifted"}).numbering == SHIFTED_NUMBERING
    assert cli.variant_from_options({}) == MatchVariant()
    bad = write(tmp_path, '{"101": 102}')
    with pytest.raises(SystemExit):
        parser.parse_args(["--type-ids", str(bad)])
    with pytest.raises(SystemExit):
        parser.parse_args(["--invent-types", "-1"])


def test_both_options_are_listed_in_the_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "streams.simulator", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert "--type-ids default|shifted|PATH.json" in result.stdout
    assert "--invent-types N" in result.stdout


async def test_the_socket_and_the_rest_twin_serve_the_same_renumbered_packets(
    start_server: StartServer,
) -> None:
    variant = MatchVariant(SHIFTED_NUMBERING, invent_types=2)
    server = await start_server(schedule=Schedule(variant))
    body = (await server.get(f"/soccer/fixtures/{FIXTURE}/actions")).text
    expected = Schedule(variant).match(FIXTURE, 1.0)
    assert body == "[" + ",".join(expected.frames) + "]"
    ws = await open_stream(server.stream(FIXTURE, speed="fast"))
    assert await packet_frames(ws, len(expected.frames)) == expected.frames
    await ws.close()
    type_ids = {packet["fixtureAction"]["fixtureActionTypeId"] for packet in json.loads(body)}
    assert ct.GOAL + 1000 in type_ids and ct.GOAL not in type_ids and 90001 in type_ids
