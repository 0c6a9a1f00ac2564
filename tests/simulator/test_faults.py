"""Injected faults on the wire: drops, silence, malformed and repeated frames, refusals."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from streams.simulator import FaultSpec
from tests.simulator.client import ACCEPT, TOKEN, is_packet, open_stream
from tests.simulator.conftest import StartServer


async def frames_until_closed(ws: ClientConnection, limit: int = 5000) -> list[str | bytes]:
    frames: list[str | bytes] = []
    with pytest.raises(ConnectionClosed):
        for _ in range(limit):
            frames.append(await asyncio.wait_for(ws.recv(), 5))
    return frames


def packets(frames: list[str | bytes]) -> list[str]:
    return [frame for frame in frames if isinstance(frame, str) and is_packet(frame)]


def is_whole_packet(frame: str | bytes) -> bool:
    return is_packet(frame) and "actionId" in json.loads(frame)["fixtureAction"]


async def test_drop_aborts_the_connection_after_every_n_packets(start_server: StartServer) -> None:
    server = await start_server(faults=FaultSpec.parse("drop=50"))
    fixture_id = uuid.uuid4()
    ws = await open_stream(server.stream(fixture_id, speed="fast"))
    first = packets(await frames_until_closed(ws))
    assert len(first) == 50
    assert ws.close_code == 1006  # no close frame: the TCP connection was cut
    ws = await open_stream(server.stream(fixture_id, speed="fast", startPosition=50))
    second = packets(await frames_until_closed(ws))
    assert json.loads(second[0])["fixtureAction"]["fixtureSeqNum"] == 51
    assert len(second) == 50
    assert server.simulator.stats.drops == 2


@pytest.mark.parametrize("code", [1000, 1001, 1011])
async def test_drop_can_close_with_a_chosen_code(start_server: StartServer, code: int) -> None:
    server = await start_server(faults=FaultSpec.parse(f"drop=20,drop_code={code}"))
    ws = await open_stream(server.stream(uuid.uuid4(), speed="fast"))
    assert len(packets(await frames_until_closed(ws))) == 20
    assert ws.close_code == code


async def test_silence_sends_nothing_at_all_for_a_while_then_resumes(
    start_server: StartServer,
) -> None:
    server = await start_server(heartbeat=0.1, faults=FaultSpec.parse("silence=5:1.0"))
    ws = await open_stream(server.stream(uuid.uuid4(), speed="fast"))
    received = [await ws.recv() for _ in range(5)]
    assert len(packets(received)) == 5
    started = time.monotonic()
    resumed = await asyncio.wait_for(ws.recv(), 3)
    assert time.monotonic() - started >= 0.9
    assert isinstance(resumed, str)
    # Once per connection only: the rest follows without another pause.
    started = time.monotonic()
    more = [await ws.recv() for _ in range(50)]
    assert time.monotonic() - started < 0.5 and len(packets(more)) >= 45
    await ws.close()


async def test_malformed_frames_of_every_kind_follow_every_nth_packet(
    start_server: StartServer,
) -> None:
    server = await start_server(faults=FaultSpec.parse("malformed=10"))
    ws = await open_stream(server.stream(uuid.uuid4(), speed="fast"))
    frames = [await ws.recv() for _ in range(55)]
    bad = [index for index, frame in enumerate(frames) if not is_whole_packet(frame)]
    assert bad == [10, 21, 32, 43, 54]
    invalid, truncated, array, missing, binary = (frames[index] for index in bad)
    for text in (invalid, truncated):
        assert isinstance(text, str)
        with pytest.raises(ValueError):
            json.loads(text)
    assert isinstance(array, str) and isinstance(json.loads(array), list)
    assert isinstance(missing, str)
    assert "actionId" not in json.loads(missing)["fixtureAction"]
    assert isinstance(binary, bytes)
    assert server.simulator.stats.malformed_sent >= 5
    await ws.close()


async def test_repeat_sends_the_previous_packet_again(start_server: StartServer) -> None:
    server = await start_server(faults=FaultSpec.parse("repeat=7"))
    ws = await open_stream(server.stream(uuid.uuid4(), speed="fast"))
    frames = packets([await ws.recv() for _ in range(16)])
    seqs = [json.loads(frame)["fixtureAction"]["fixtureSeqNum"] for frame in frames]
    assert seqs == [1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 14]
    assert frames[6] == frames[7]
    await ws.close()


async def test_reject_token_refuses_every_token_for_a_while(start_server: StartServer) -> None:
    server = await start_server(faults=FaultSpec.parse("reject_token=0.6"))
    url = server.stream(uuid.uuid4())
    async with connect(url, additional_headers={"Accept": ACCEPT}) as ws:
        await ws.send(json.dumps({"authToken": TOKEN}))
        assert json.loads(await ws.recv())["message"] == "The supplied authentication is invalid"
    await asyncio.sleep(0.7)  # the time is what this checks: past the 0.6 s, a token is taken
    ws = await open_stream(url)
    await ws.close()


async def test_http503_answers_every_nth_upgrade(start_server: StartServer) -> None:
    server = await start_server(faults=FaultSpec.parse("http503=2"))
    url = server.stream(uuid.uuid4())
    ws = await open_stream(url)
    await ws.close()
    with pytest.raises(InvalidStatus) as caught:
        await connect(url, additional_headers={"Accept": ACCEPT})
    assert caught.value.response.status_code == 503
    ws = await open_stream(url)
    await ws.close()
    assert server.simulator.stats.http503 == 1


async def test_faults_never_change_the_packets_of_a_match(start_server: StartServer) -> None:
    plain = await start_server()
    faulty = await start_server(faults=FaultSpec.parse("drop=5,malformed=2,repeat=3,http503=4"))
    fixture_id = uuid.uuid4()
    path = f"/soccer/fixtures/{fixture_id}/actions"
    assert (await plain.get(path)).text == (await faulty.get(path)).text


async def test_random_drops_cut_at_varying_positions_with_every_close_code(
    start_server: StartServer,
) -> None:
    server = await start_server(faults=FaultSpec.parse("drop_random=15,drop_code=mix,seed=1"))
    fixture_id, position, lengths, codes = uuid.uuid4(), 0, [], []
    while len(codes) < 8:
        ws = await open_stream(server.stream(fixture_id, speed="fast", startPosition=position))
        got = len(packets(await frames_until_closed(ws)))
        lengths.append(got)
        codes.append(ws.close_code)
        position += got
    assert len(set(lengths)) > 3  # random positions, not every Nth packet
    assert codes == [1000, 1001, 1006, 1011] * 2
    drops = [e for e in server.simulator.journal.entries(str(fixture_id)) if e.kind == "drop"]
    assert [e.detail.split("@")[0] for e in drops] == ["1000", "1001", "1006", "1011"] * 2


async def test_a_stall_is_journaled_and_the_client_closing_ends_it(
    start_server: StartServer,
) -> None:
    server = await start_server(heartbeat=0.1, faults=FaultSpec.parse("stall=1:30,seed=2"))
    fixture_id = uuid.uuid4()
    ws = await open_stream(server.stream(fixture_id, speed="fast"))
    assert is_packet(await asyncio.wait_for(ws.recv(), 3))
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ws.recv(), 0.5)  # no heartbeat either: a silent stall
    await ws.close()

    def kinds() -> list[str]:
        return [e.kind for e in server.simulator.journal.entries(str(fixture_id))]

    async with asyncio.timeout(3):
        while "closed" not in kinds():
            await asyncio.sleep(0.02)
    assert kinds() == ["authorised", "silence", "closed"]


async def test_a_token_refused_for_a_while_mid_match_is_accepted_again(
    start_server: StartServer,
) -> None:
    server = await start_server(faults=FaultSpec.parse("reject_token_every=1:0.5"))
    url = server.stream(uuid.uuid4())
    (await open_stream(url)).transport.abort()  # the first attempt starts the clock
    verdicts = []
    for _ in range(8):
        async with connect(url, additional_headers={"Accept": ACCEPT}) as ws:
            await ws.send(json.dumps({"authToken": TOKEN}))
            verdicts.append(json.loads(await ws.recv())["level"])
        await asyncio.sleep(0.25)  # the time is what this samples: refusals come and go
    assert "INFO" in verdicts[verdicts.index("ERROR") :]  # refused, then accepted again
