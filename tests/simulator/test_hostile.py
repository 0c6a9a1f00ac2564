"""``--hostile``: the ordinary match with hostile names, metadata, fixture list and echoes."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import uuid
from typing import Any

import websockets

from dde_site import processes
from streams.simulator import MatchVariant, Schedule, cli, generate_match
from streams.simulator.hostile import HOSTILE_TYPE_BASE, LONG_CHARS, hostile_types
from tests.simulator.client import ACCEPT, HEADERS, stream_url
from tests.simulator.conftest import StartServer

KICKOFF = dt.datetime(2025, 3, 8, 15, 0, tzinfo=dt.UTC)
NAMESPACE = uuid.UUID("5b0f8c1e-2d3a-4e5f-9a6b-7c8d9e0f1a2b")
HOSTILE = MatchVariant(hostile=True)
MAX_FRAME_BYTES = 1_048_576  # the product's DDE_MAX_FRAME_BYTES


def fixture(number: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"hostile-{number}")


def names(packets: list[dict[str, Any]], key: str) -> list[str]:
    return [p["fixtureAction"][key]["name"] for p in packets if key in p["fixtureAction"]]


def test_a_hostile_match_is_the_ordinary_match_with_hostile_names() -> None:
    for number in range(3):
        plain = generate_match(fixture(number), KICKOFF)
        hostile = generate_match(fixture(number), KICKOFF, variant=HOSTILE)
        added = [
            p
            for p in hostile.packets
            if p["fixtureAction"]["fixtureActionTypeId"] >= HOSTILE_TYPE_BASE
        ]
        assert len(hostile.packets) == len(plain.packets) + len(added)
        assert {p["fixtureAction"]["fixtureActionTypeId"] for p in added} == {
            t.id for t in hostile_types()
        }
        assert hostile.packets[-1]["fixtureSummary"] == plain.packets[-1]["fixtureSummary"]
        assert hostile.packets[-1]["finished"] is True
        teams, players = names(hostile.packets, "team"), names(hostile.packets, "player")
        for found in (teams, players):
            assert any(len(name) == LONG_CHARS for name in found)
            assert any(name.startswith("<script>") for name in found)
            assert any(name.startswith("<img src=x onerror=") for name in found)
            assert any(name.startswith("=HYPERLINK(") for name in found)
            assert any(name.startswith("=cmd|") for name in found)
            assert any(name[0] in "+-@" for name in found)
            assert any("\u202e" in name for name in found)
            assert any("\n" in name for name in found)
        types = [p["fixtureAction"]["fixtureActionType"] for p in added]
        assert any("\x00" in name for name in types) and any(len(n) == LONG_CHARS for n in types)
        assert max(len(frame.encode()) for frame in hostile.frames) < MAX_FRAME_BYTES


def test_the_default_variant_is_unchanged_byte_for_byte() -> None:
    plain = generate_match(fixture(0), KICKOFF)
    assert generate_match(fixture(0), KICKOFF, variant=MatchVariant()).frames == plain.frames
    assert "\u202e" not in "".join(plain.frames) and "<script>" not in "".join(plain.frames)


def test_match_conditions_carry_deep_wide_and_long_metadata() -> None:
    hostile = generate_match(fixture(1), KICKOFF, variant=HOSTILE)
    (conditions,) = [
        p["fixtureAction"]["metadata"]
        for p in hostile.packets
        if "weather" in p["fixtureAction"].get("metadata", {})
    ]
    assert len(conditions["weather"]) == LONG_CHARS and len(conditions["readings"]) == 5000
    depth, level = 0, conditions["notes"]
    while "deeper" in level:
        depth, level = depth + 1, level["deeper"]
    assert depth == 40


async def test_the_fixture_list_and_the_refusals_are_hostile(start_server: StartServer) -> None:
    schedule = Schedule(HOSTILE)
    for number in range(3):
        schedule.add(fixture(number), kickoff=KICKOFF)
    server = await start_server(schedule=schedule)
    listed = (await server.get("/soccer/fixtures")).json()
    assert len(listed) == 3
    for item in listed:
        assert "\x00" in item["name"] and "\u202e" in item["name"] and "<script>" in item["name"]
        home, away = item["teams"]
        assert len(home["name"]) == LONG_CHARS and "\x00" in away["name"]
        assert away["name"].startswith("=HYPERLINK(")
        assert len(item["venue"]["name"]) == LONG_CHARS
    single = (await server.get(f"/soccer/fixtures/{fixture(0)}")).json()
    assert single == next(item for item in listed if item["id"] == str(fixture(0)))

    refused = await server.get("/soccer/fixtures", {"Accept": ACCEPT, "Authorization": "Bearer s3"})
    assert refused.status_code == 401
    assert refused.json() == {"error": "token rejected: Bearer s3", "status": 401}

    async with websockets.connect(
        stream_url(server.ws_url, fixture(0)), additional_headers={"Accept": ACCEPT}
    ) as ws:
        await ws.send(json.dumps({"authToken": "not-the-token"}))
        reply = json.loads(await ws.recv())
    assert reply == {"message": "token rejected: not-the-token", "level": "ERROR"}


async def test_an_ordinary_simulator_never_echoes(start_server: StartServer) -> None:
    server = await start_server()
    refused = await server.get("/soccer/fixtures", {**HEADERS, "Authorization": "Bearer s3"})
    assert refused.status_code == 401 and "s3" not in refused.text


def test_hostile_is_an_option_of_the_command_and_of_the_process_launcher() -> None:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    options = vars(parser.parse_args(["--hostile"]))
    assert cli.variant_from_options(options).hostile is True
    assert cli.build(options).schedule.variant.hostile is True
    assert cli.variant_from_options(vars(parser.parse_args([]))).hostile is False
    assert "--hostile" in processes.command(["simulator", "--hostile"])
    assert "--hostile" not in processes.command(["simulator"])
