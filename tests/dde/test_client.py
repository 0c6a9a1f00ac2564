"""The feed client against a scripted upstream on a loopback port."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import AsyncGenerator
from typing import Any

import pytest
import structlog
from websockets.asyncio.server import ServerConnection

from streams.dde.backoff import Backoff
from streams.dde.client import (
    AuthRejected,
    Connected,
    Disconnected,
    Event,
    FeedClient,
    FeedEndpoint,
    Rejected,
)
from streams.dde.endpoint import ACCEPT
from streams.dde.messages import ControlMessage, DataPacket
from tests.dde.upstream import FIXTURE_ID, FakeUpstream, heartbeat, packet, sends

TOKEN = "s3cret-token-4711"


class Sleeps:
    """An instant sleep that remembers what it was asked to wait."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


def client_for(url: str, sleeps: Sleeps | None = None, **options: Any) -> FeedClient:
    endpoint = FeedEndpoint(streams_url=url, fixture_id=FIXTURE_ID, token=TOKEN)
    backoff = Backoff(rand=lambda: 0.5, sleep=sleeps or Sleeps())
    return FeedClient(endpoint, backoff=backoff, **options)


async def take(events: AsyncGenerator[Event, None], count: int) -> list[Event]:
    got: list[Event] = []
    async with asyncio.timeout(5):
        while len(got) < count:
            got.append(await anext(events))
    return got


async def test_the_client_sends_both_headers_then_the_auth_message_and_no_token_in_the_url() -> (
    None
):
    async with FakeUpstream() as upstream:
        upstream.scripts = (sends(upstream, then="wait"),)
        events = client_for(upstream.url).events(lambda: 0)
        await take(events, 2)
        await events.aclose()
    request = upstream.requests[0]
    assert request.headers["Accept"] == ACCEPT
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.path == f"/soccer/fixtures/{FIXTURE_ID}/actions?startPosition=0"
    assert json.loads(upstream.auth_frames[0]) == {"authToken": TOKEN}


async def test_an_authorised_connection_yields_connected_then_every_frame() -> None:
    async with FakeUpstream() as upstream:
        upstream.scripts = (sends(upstream, heartbeat(), packet(1), then="wait"),)
        events = client_for(upstream.url).events(lambda: 7)
        connected, reply, beat, data = await take(events, 4)
        await events.aclose()
    assert connected == Connected(start_position=7, attempt=1)
    assert isinstance(reply, ControlMessage) and reply.message == "Authorisation accepted"
    assert not reply.is_heartbeat
    assert isinstance(beat, ControlMessage) and beat.is_heartbeat
    assert isinstance(data, DataPacket) and data.action.fixture_seq_num == 1


async def test_an_error_reply_to_the_auth_message_raises_auth_rejected_and_ends_the_stream() -> (
    None
):
    async def refuse(ws: ServerConnection) -> None:
        await ws.recv()
        await ws.send(json.dumps({"message": "Authentication failed", "level": "ERROR"}))
        await ws.wait_closed()

    async with FakeUpstream(refuse) as upstream:
        events = client_for(upstream.url).events(lambda: 0)
        with pytest.raises(AuthRejected) as rejected:
            await take(events, 1)
        await asyncio.wait_for(upstream.closed.wait(), 2)
        with pytest.raises(StopAsyncIteration):
            await anext(events)
    assert rejected.value.message == "Authentication failed"


async def test_http_401_on_the_upgrade_raises_auth_rejected() -> None:
    refusal = (401, "The supplied authentication is invalid")
    async with FakeUpstream(statuses=[refusal]) as upstream:
        events = client_for(upstream.url).events(lambda: 0)
        with pytest.raises(AuthRejected) as rejected:
            await take(events, 1)
        with pytest.raises(StopAsyncIteration):
            await anext(events)
    assert rejected.value.message == "HTTP 401: The supplied authentication is invalid"


async def test_a_data_packet_as_first_frame_counts_as_authorised() -> None:
    async def straight_to_data(ws: ServerConnection) -> None:
        await ws.recv()
        await ws.send(packet(1))
        await ws.wait_closed()

    async with FakeUpstream(straight_to_data) as upstream:
        events = client_for(upstream.url).events(lambda: 0)
        connected, data = await take(events, 2)
        await events.aclose()
    assert isinstance(connected, Connected)
    assert isinstance(data, DataPacket)


async def test_a_silent_feed_is_dropped_by_the_watchdog_and_reconnected() -> None:
    async with FakeUpstream() as upstream:
        upstream.scripts = (sends(upstream, then="wait"), sends(upstream, packet(1), then="wait"))
        events = client_for(upstream.url, watchdog_seconds=0.5).events(lambda: 0)
        started = time.monotonic()
        got = await take(events, 6)
        await events.aclose()
    dropped = got[2]
    assert isinstance(dropped, Disconnected)
    assert dropped.reason == "no frame for 0.5 s" and dropped.code is None
    assert time.monotonic() - started < 3
    assert got[3] == Connected(start_position=0, attempt=2)
    assert isinstance(got[5], DataPacket)


async def test_a_reconnect_resumes_at_the_position_the_consumer_reports() -> None:
    stored: list[DataPacket] = []
    got: list[Event] = []
    async with FakeUpstream() as upstream:
        upstream.scripts = (
            sends(upstream, packet(1), packet(2), packet(3), code=1011),
            sends(upstream, packet(4), then="wait"),
        )
        events = client_for(upstream.url).events(lambda: len(stored))
        async with asyncio.timeout(5):
            while len(stored) < 4:
                got.append(await anext(events))
                if isinstance(got[-1], DataPacket):
                    stored.append(got[-1])
        await events.aclose()
    assert isinstance(got[5], Disconnected) and got[5].code == 1011
    assert got[6] == Connected(start_position=3, attempt=2)
    assert upstream.requests[1].path.endswith("/actions?startPosition=3")
    assert [p.action.fixture_seq_num for p in stored] == [1, 2, 3, 4]


async def test_http_503_on_the_upgrade_is_retried_until_the_feed_accepts() -> None:
    async with FakeUpstream(statuses=[(503, "Service Unavailable")]) as upstream:
        upstream.scripts = (sends(upstream, then="wait"),)
        events = client_for(upstream.url).events(lambda: 0)
        dropped, connected = await take(events, 2)
        await events.aclose()
    assert isinstance(dropped, Disconnected)
    assert dropped.reason == "upgrade refused with HTTP 503: Service Unavailable"
    assert dropped.code is None and dropped.retry_in > 0
    assert connected == Connected(start_position=0, attempt=2)


@pytest.mark.parametrize(
    ("then", "code"), [("close", 1000), ("close", 1001), ("close", 1011), ("abort", 1006)]
)
async def test_every_kind_of_close_becomes_a_disconnected_event_with_its_code(
    then: str, code: int
) -> None:
    async with FakeUpstream() as upstream:
        upstream.scripts = (sends(upstream, packet(1), then=then, code=code),)
        events = client_for(upstream.url).events(lambda: 0)
        got = await take(events, 5)
        await events.aclose()
    dropped = got[3]
    assert isinstance(dropped, Disconnected) and dropped.code == code
    assert isinstance(got[4], Connected) and got[4].attempt == 2


async def test_a_refused_connection_is_retried() -> None:
    with socket.socket() as probe:  # a loopback port that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    events = client_for(f"ws://127.0.0.1:{port}", sleeps).events(lambda: 0)
    first, second = await take(events, 2)
    await events.aclose()
    assert isinstance(first, Disconnected) and first.reason.startswith("connection failed")
    assert isinstance(second, Disconnected)
    assert sleeps.delays == [first.retry_in]


async def test_an_upgrade_that_never_answers_times_out() -> None:
    writers: list[asyncio.StreamWriter] = []

    async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)  # accept the TCP connection, never answer the upgrade

    server = await asyncio.start_server(mute, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        events = client_for(f"ws://127.0.0.1:{port}", connect_timeout=0.2).events(lambda: 0)
        (dropped,) = await take(events, 1)
        await events.aclose()
        for writer in writers:
            writer.close()
            await writer.wait_closed()
    assert isinstance(dropped, Disconnected) and dropped.reason == "no connection within 0.2 s"


async def test_bad_frames_become_rejected_events_and_the_connection_goes_on() -> None:
    too_big = json.dumps({"message": "x" * 2000})
    async with FakeUpstream() as upstream:
        upstream.scripts = (sends(upstream, "not json", too_big, packet(1).encode(), then="wait"),)
        events = client_for(upstream.url, max_frame_bytes=1000).events(lambda: 0)
        got = await take(events, 5)
        await events.aclose()
    garbage, oversized, binary = got[2:]
    assert isinstance(garbage, Rejected)
    assert garbage == Rejected(frame="not json", size=8, reason=garbage.reason)
    assert garbage.reason.startswith("invalid JSON")
    assert isinstance(oversized, Rejected)
    assert oversized.reason == f"frame of {len(too_big)} bytes exceeds the 1000-byte limit"
    assert len(oversized.frame) <= 4096 and oversized.size == len(too_big)
    assert isinstance(binary, DataPacket)


async def test_a_frame_far_over_the_limit_but_under_the_ceiling_leaves_the_connection_up() -> None:
    huge = json.dumps({"message": "x" * 40_000})
    async with FakeUpstream() as upstream:
        upstream.scripts = (sends(upstream, huge, packet(1), then="wait"),)
        client = client_for(upstream.url, max_frame_bytes=1000, frame_ceiling_bytes=100_000)
        events = client.events(lambda: 0)
        rejected, data = (await take(events, 4))[2:]
        await events.aclose()
    assert isinstance(rejected, Rejected) and rejected.too_big
    assert rejected.size == len(huge) and len(rejected.frame) <= 4096
    assert isinstance(data, DataPacket)
    assert upstream.connections == 1


async def test_a_frame_beyond_the_ceiling_is_rejected_with_its_size_and_the_feed_resumes() -> None:
    giant = json.dumps({"message": "x" * 20_000})
    async with FakeUpstream(compression=None) as upstream:
        upstream.scripts = (
            sends(upstream, packet(1), giant, then="wait"),
            sends(upstream, packet(2), then="wait"),
        )
        client = client_for(upstream.url, max_frame_bytes=1000, frame_ceiling_bytes=5000)
        events = client.events(lambda: upstream.connections)
        got = await take(events, 8)
        await events.aclose()
    rejected, dropped = got[3:5]
    assert isinstance(rejected, Rejected)
    assert rejected == Rejected(frame="", size=len(giant), reason=rejected.reason, too_big=True)
    assert "exceeds the 5000-byte websocket ceiling" in rejected.reason
    assert isinstance(dropped, Disconnected) and dropped.code == 1009
    assert isinstance(got[7], DataPacket) and got[7].action.fixture_seq_num == 2
    # A frame met once is not skipped: the resume asks for what the consumer stored.
    assert upstream.requests[1].path.endswith("?startPosition=1")


async def test_a_compressed_frame_inflating_past_the_ceiling_is_rejected_as_at_least_that_big() -> (
    None
):
    bomb = json.dumps({"message": "x" * 200_000})  # a few hundred bytes on the wire
    async with FakeUpstream(compression="deflate") as upstream:
        upstream.scripts = (sends(upstream, bomb, then="wait"),)
        client = client_for(upstream.url, max_frame_bytes=1000, frame_ceiling_bytes=5000)
        events = client.events(lambda: 0)
        rejected, dropped = (await take(events, 4))[2:]
        await events.aclose()
    assert isinstance(rejected, Rejected) and rejected.size == 5001
    assert rejected.reason == "compressed frame inflates beyond the 5000-byte websocket ceiling"
    assert isinstance(dropped, Disconnected) and dropped.code == 1009


def replays(upstream: FakeUpstream, frames: list[str]) -> Any:
    """A script serving ``frames`` from the connection's startPosition, as the vendor does."""

    async def script(ws: ServerConnection) -> None:
        await upstream.accept(ws)
        assert ws.request is not None
        start = int(ws.request.path.rpartition("startPosition=")[2])
        for frame in frames[start:]:
            await ws.send(frame)
        await ws.wait_closed()

    return script


async def test_a_packet_beyond_the_ceiling_that_the_vendor_resends_is_skipped_not_looped_on() -> (
    None
):
    giant = json.loads(packet(3))
    giant["padding"] = "x" * 20_000
    frames = [packet(1), packet(2), json.dumps(giant), packet(4), packet(5)]
    stored: list[int] = []
    async with FakeUpstream(compression=None) as upstream:
        upstream.scripts = (replays(upstream, frames),)
        client = client_for(upstream.url, max_frame_bytes=1000, frame_ceiling_bytes=5000)
        events = client.events(lambda: len(stored))
        rejected: list[Rejected] = []
        async with asyncio.timeout(5):
            while len(stored) < 4:
                event = await anext(events)
                if isinstance(event, DataPacket):
                    stored.append(event.action.fixture_seq_num or 0)
                elif isinstance(event, Rejected):
                    rejected.append(event)
        await events.aclose()
    assert stored == [1, 2, 4, 5]
    starts = [request.path.rpartition("=")[2] for request in upstream.requests]
    # Met after position 0's two packets, then first thing from position 2, twice: skipped.
    assert starts == ["0", "2", "2", "3"]
    assert len(rejected) == 3 and all(r.size >= 20_000 for r in rejected)


async def test_a_frame_inserted_beyond_the_ceiling_after_new_packets_never_skips_one() -> None:
    giant = json.dumps({"message": "x" * 20_000})
    stored: list[int] = []

    async def script(ws: ServerConnection) -> None:
        # Each connection: the packet at its start position, then an inserted giant frame.
        await upstream.accept(ws)
        assert ws.request is not None
        start = int(ws.request.path.rpartition("startPosition=")[2])
        await ws.send(packet(start + 1))
        await ws.send(giant)
        await ws.wait_closed()

    async with FakeUpstream(compression=None) as upstream:
        upstream.scripts = (script,)
        client = client_for(upstream.url, max_frame_bytes=1000, frame_ceiling_bytes=5000)
        events = client.events(lambda: len(stored))
        async with asyncio.timeout(5):
            while len(stored) < 4:
                event = await anext(events)
                if isinstance(event, DataPacket):
                    stored.append(event.action.fixture_seq_num or 0)
        await events.aclose()
    assert stored == [1, 2, 3, 4]


async def test_aclose_closes_the_socket_promptly() -> None:
    async with FakeUpstream() as upstream:
        upstream.scripts = (sends(upstream, then="wait"),)
        events = client_for(upstream.url).events(lambda: 0)
        await take(events, 2)
        started = time.monotonic()
        await events.aclose()
        await asyncio.wait_for(upstream.closed.wait(), 2)
    assert time.monotonic() - started < 1


async def test_breaking_out_of_the_loop_closes_the_socket() -> None:
    async with FakeUpstream() as upstream:
        upstream.scripts = (sends(upstream, then="wait"),)
        async for event in client_for(upstream.url).events(lambda: 0):
            if isinstance(event, ControlMessage):
                break
        await asyncio.wait_for(upstream.closed.wait(), 2)


async def test_the_backoff_resets_after_every_connection_that_delivered_data() -> None:
    sleeps = Sleeps()
    async with FakeUpstream() as upstream:
        upstream.scripts = (sends(upstream, packet(1), code=1011),)
        events = client_for(upstream.url, sleeps).events(lambda: 0)
        got = await take(events, 16)
        await events.aclose()
    delays = [e.retry_in for e in got if isinstance(e, Disconnected)]
    assert delays == [0.1875] * 4  # half of 0.25, plus that half jittered by 0.5
    assert sleeps.delays == delays[:-1]  # the last one was never slept: we stopped


async def test_the_backoff_grows_while_connections_deliver_nothing_after_the_reply() -> None:
    sleeps = Sleeps()
    async with FakeUpstream() as upstream:
        upstream.scripts = (sends(upstream, code=1011),)
        events = client_for(upstream.url, sleeps).events(lambda: 0)
        got = await take(events, 9)
        await events.aclose()
    assert [e.retry_in for e in got if isinstance(e, Disconnected)] == [0.1875, 0.375, 0.75]


async def test_a_feed_that_drops_every_50_packets_is_resumed_well_within_2_seconds() -> None:
    stored = 0
    async with FakeUpstream() as upstream:
        upstream.scripts = (sends(upstream, *(packet(n) for n in range(50)), code=1001),)
        endpoint = FeedEndpoint(streams_url=upstream.url, fixture_id=FIXTURE_ID, token=TOKEN)
        events = FeedClient(endpoint).events(lambda: stored)
        gaps: list[float] = []
        dropped_at = 0.0
        async with asyncio.timeout(10):
            async for event in events:
                if isinstance(event, DataPacket):
                    stored += 1
                elif isinstance(event, Disconnected):
                    dropped_at = time.monotonic()
                elif isinstance(event, Connected) and event.attempt > 1:
                    gaps.append(time.monotonic() - dropped_at)
                    if len(gaps) == 3:
                        break
        await events.aclose()
    assert stored == 150
    assert max(gaps) < 1.0
    assert [r.path.rsplit("=", 1)[1] for r in upstream.requests] == ["0", "50", "100", "150"]


async def test_the_token_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    async def refuse(ws: ServerConnection) -> None:
        await ws.recv()
        await ws.send(json.dumps({"message": f"token {TOKEN} is revoked", "level": "ERROR"}))

    got: list[Event] = []
    async with FakeUpstream(statuses=[(503, f"busy, {TOKEN}")]) as upstream:
        garbage = f"oops {TOKEN}"
        upstream.scripts = (sends(upstream, garbage, packet(1), code=1011, then="close"), refuse)
        with structlog.testing.capture_logs() as logs, pytest.raises(AuthRejected) as rejected:
            events = client_for(upstream.url).events(lambda: 0)
            async with asyncio.timeout(5):
                async for event in events:
                    got.append(event)
    names = {entry["event"] for entry in logs}
    assert {"dde.connecting", "dde.authorised", "dde.frame_rejected"} <= names
    assert {"dde.disconnected", "dde.auth_rejected"} <= names
    assert all(entry.get("fixture") == FIXTURE_ID for entry in logs)
    assert any(isinstance(e, Rejected) for e in got)
    for text in (repr(logs), caplog.text, repr(got), str(rejected.value)):
        assert TOKEN not in text
    assert "[token]" in rejected.value.message
