"""The Live Actions websocket: handshake checks, auth, heartbeats, positions and pacing."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time
import uuid

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from streams.simulator import generate_match
from streams.simulator.schedule import Schedule
from tests.simulator.client import ACCEPT, TOKEN, is_packet, next_packet, open_stream, packet_frames
from tests.simulator.conftest import StartServer, live_fixture

HEARTBEAT = re.compile(
    r'^\{"message":"Heartbeat sent at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z","level":"INFO"\}$'
)


async def refused(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    with pytest.raises(InvalidStatus) as caught:
        await connect(url, additional_headers=headers or {"Accept": ACCEPT}, open_timeout=5)
    response = caught.value.response
    return response.status_code, response.body.decode()


async def test_an_upgrade_without_the_accept_header_is_refused_with_the_documented_text(
    start_server: StartServer,
) -> None:
    server = await start_server()
    status, body = await refused(server.stream(uuid.uuid4()), headers={"Accept": "*/*"})
    assert (status, body) == (400, "Request is missing required HTTP header 'Accept'")


@pytest.mark.parametrize(
    "path",
    [
        "/soccer/fixtures/not-a-uuid/actions",
        "/basketball/fixtures/75bcc0e0-d0de-4a72-a57d-208df43077f8/actions",
        "/soccer/fixtures/75bcc0e0-d0de-4a72-a57d-208df43077f8/statistics",
        "/elsewhere",
    ],
)
async def test_an_unknown_path_sport_or_fixture_id_is_not_found(
    start_server: StartServer, path: str
) -> None:
    server = await start_server()
    status, _ = await refused(server.ws_url + path)
    assert status == 404


async def test_a_bad_start_position_or_speed_is_a_bad_request(start_server: StartServer) -> None:
    server = await start_server()
    for query in ({"startPosition": "-1"}, {"startPosition": "five"}, {"speed": "slow"}):
        status, body = await refused(server.stream(uuid.uuid4(), **query))
        assert status == 400
        assert json.loads(body)["status"] == 400


async def test_the_right_token_is_accepted_on_both_flavours_of_the_path(
    start_server: StartServer,
) -> None:
    server = await start_server()
    fixture_id = uuid.uuid4()
    for url in (
        server.stream(fixture_id),
        f"{server.ws_url}/media/soccer/fixtures/{fixture_id}/actions",
    ):
        ws = await open_stream(url)
        assert (await next_packet(ws))["fixtureAction"]["fixtureSeqNum"] == 1
        await ws.close()
    assert server.simulator.stats.auth_ok == 2


async def test_a_bearer_header_on_the_upgrade_is_accepted_but_the_message_still_counts(
    start_server: StartServer,
) -> None:
    server = await start_server()
    headers = {"Accept": ACCEPT, "Authorization": f"Bearer {TOKEN}"}
    async with connect(server.stream(uuid.uuid4()), additional_headers=headers) as ws:
        await ws.send(json.dumps({"authToken": "wrong"}))
        reply = json.loads(await ws.recv())
        assert reply == {"message": "The supplied authentication is invalid", "level": "ERROR"}


async def test_a_wrong_token_gets_an_error_and_the_socket_is_closed(
    start_server: StartServer,
) -> None:
    server = await start_server()
    async with connect(server.stream(uuid.uuid4()), additional_headers={"Accept": ACCEPT}) as ws:
        await ws.send(json.dumps({"authToken": "not-the-token"}))
        assert json.loads(await ws.recv()) == {
            "message": "The supplied authentication is invalid",
            "level": "ERROR",
        }
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 1008
    assert server.simulator.stats.auth_failed == 1


@pytest.mark.parametrize(
    "message", ['{"token": "test-token"}', "test-token", "[1]", '{"authToken": 5}']
)
async def test_a_malformed_auth_message_gets_an_error_and_the_socket_is_closed(
    start_server: StartServer, message: str
) -> None:
    server = await start_server()
    async with connect(server.stream(uuid.uuid4()), additional_headers={"Accept": ACCEPT}) as ws:
        await ws.send(message)
        assert json.loads(await ws.recv()) == {
            "message": "Authentication message had incorrect format",
            "level": "ERROR",
        }
        with pytest.raises(ConnectionClosed):
            await ws.recv()


async def test_a_client_that_never_authenticates_is_closed_after_the_timeout(
    start_server: StartServer,
) -> None:
    server = await start_server(auth_timeout=0.3)
    async with connect(server.stream(uuid.uuid4()), additional_headers={"Accept": ACCEPT}) as ws:
        reply = json.loads(await asyncio.wait_for(ws.recv(), 3))
        assert reply["level"] == "ERROR"
        with pytest.raises(ConnectionClosed):
            await ws.recv()


async def test_heartbeats_arrive_at_the_configured_interval_before_kickoff(
    start_server: StartServer,
) -> None:
    fixture_id, schedule, _ = live_fixture(kickoff_in=3600, pace=1.0)
    server = await start_server(schedule=schedule, heartbeat=0.2)
    ws = await open_stream(server.stream(fixture_id))
    started = time.monotonic()
    frames = [await asyncio.wait_for(ws.recv(), 2) for _ in range(4)]
    elapsed = time.monotonic() - started
    assert all(isinstance(frame, str) and HEARTBEAT.match(frame) for frame in frames)
    assert 0.6 <= elapsed <= 1.6
    await ws.close()


async def test_start_position_skips_that_many_packets(start_server: StartServer) -> None:
    server = await start_server()
    fixture_id = uuid.uuid4()
    actions = (await server.get(f"/soccer/fixtures/{fixture_id}/actions")).json()
    ws = await open_stream(server.stream(fixture_id, startPosition=250, speed="fast"))
    packets = [json.loads(frame) for frame in await packet_frames(ws, 3)]
    assert packets == actions[250:253]
    assert packets[0]["fixtureAction"]["fixtureSeqNum"] == 251
    await ws.close()


async def test_a_finished_match_replayed_fast_arrives_whole_and_quickly_then_heartbeats(
    start_server: StartServer,
) -> None:
    server = await start_server(heartbeat=0.3)
    fixture_id = uuid.uuid4()
    body = (await server.get(f"/soccer/fixtures/{fixture_id}/actions")).text
    count = len(json.loads(body))
    started = time.monotonic()
    ws = await open_stream(server.stream(fixture_id, speed="fast"))
    frames = await packet_frames(ws, count)
    assert time.monotonic() - started < 5
    # Exactly the values the REST endpoint lists, byte for byte.
    assert "[" + ",".join(frames) + "]" == body
    assert json.loads(frames[-1])["finished"] is True
    # The socket stays open after the last packet, heartbeating (§14 q7).
    after = await asyncio.wait_for(ws.recv(), 2)
    assert isinstance(after, str) and HEARTBEAT.match(after)
    await ws.close()


async def test_a_finished_match_at_normal_speed_keeps_the_spacing_divided_by_pace(
    start_server: StartServer,
) -> None:
    server = await start_server(pace=400.0)
    fixture_id = uuid.uuid4()
    match = server.simulator.schedule.match(fixture_id, 1.0)
    ws = await open_stream(server.stream(fixture_id, speed="normal"))
    arrivals = []
    for _ in range(4):
        await next_packet(ws)
        arrivals.append(time.monotonic())
    expected = (match.release_offsets[3] - match.release_offsets[0]) / 400.0
    assert expected > 0.4
    assert abs((arrivals[3] - arrivals[0]) - expected) < 0.25
    await ws.close()


async def test_a_live_match_catches_up_then_sends_each_packet_as_it_is_released(
    start_server: StartServer,
) -> None:
    fixture_id, schedule, match = live_fixture(kickoff_in=-10.0, pace=100.0)
    server = await start_server(schedule=schedule, pace=100.0)
    connected = dt.datetime.now(dt.UTC)
    ws = await open_stream(server.stream(fixture_id, speed="fast"))
    backlog = match.released(connected)
    assert backlog > 50
    on_time = 0
    while on_time < 15:
        packet = await next_packet(ws)
        arrived = dt.datetime.now(dt.UTC)
        index = packet["fixtureAction"]["fixtureSeqNum"] - 1
        due = match.kickoff + dt.timedelta(seconds=match.release_offsets[index])
        if index < backlog:  # the catch-up goes out at once
            assert (arrived - connected).total_seconds() < 1.0
        elif due > connected + dt.timedelta(seconds=0.2):
            assert -0.05 <= (arrived - due).total_seconds() < 0.3
            on_time += 1
    await ws.close()


async def test_a_fixture_before_its_first_release_sends_only_heartbeats_until_then(
    start_server: StartServer,
) -> None:
    fixture_id = uuid.uuid4()
    # Release offsets do not depend on the kick-off, so one generation tells when to kick off.
    first_offset = generate_match(fixture_id, dt.datetime.now(dt.UTC), 100.0).release_offsets[0]
    schedule = Schedule()
    kickoff = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1.0 - first_offset)
    schedule.add(fixture_id, kickoff=kickoff)
    server = await start_server(schedule=schedule, pace=100.0, heartbeat=0.25)
    ws = await open_stream(server.stream(fixture_id))
    early = await asyncio.wait_for(ws.recv(), 2)
    assert not is_packet(early)
    packet = await next_packet(ws, timeout=3)
    assert packet["fixtureAction"]["fixtureSeqNum"] == 1
    lag = (dt.datetime.now(dt.UTC) - (kickoff + dt.timedelta(seconds=first_offset))).total_seconds()
    assert -0.05 <= lag < 0.5
    await ws.close()


async def test_frames_from_the_client_after_auth_are_ignored(start_server: StartServer) -> None:
    server = await start_server()
    ws = await open_stream(server.stream(uuid.uuid4(), speed="fast"))
    first = await next_packet(ws)
    for junk in ('{"authToken": "again"}', "hello", b"\x00\x01"):
        await ws.send(junk)
    second = await next_packet(ws)
    assert second["fixtureAction"]["fixtureSeqNum"] == first["fixtureAction"]["fixtureSeqNum"] + 1
    await ws.close()
    for _ in range(50):
        if server.simulator.stats.client_frames_ignored == 3:
            break
        await asyncio.sleep(0.02)
    assert server.simulator.stats.client_frames_ignored == 3
