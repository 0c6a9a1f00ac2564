"""Consumers through the real ASGI application and the real Redis channel layer."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from dde_site.asgi import application
from streams.catalogue import describe_stored
from streams.feed.writer import FixtureWriter
from streams.models import Fixture, Packet
from streams.viewers import broadcast, consumers, fanout, snapshots
from tests.conftest import arrived
from tests.support.packets import Feed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


class Match:
    """A fixture with a writer that stores and broadcasts packets like a listener does."""

    def __init__(self, fixture: Fixture) -> None:
        self.fixture = fixture
        self.feed = Feed(fixture.id)
        self.writer = FixtureWriter(fixture.id)
        self.publisher = broadcast.FixturePublisher(fixture.id)

    def store(self, count: int = 1, *, publish: bool = True) -> list[int]:
        packets = [
            self.feed.packet(str(uuid.uuid4()), "Confirmed", 110, "Dangerous Attack")
            for _ in range(count)
        ]
        # As the listener stores: the actions come back described as rows.
        result = describe_stored(self.fixture.id, self.writer.store(arrived(packets)))
        if publish:
            async_to_sync(self.publisher.publish)(result.stored)
        return [s.position for s in result.stored]


@pytest.fixture
async def match(make_fixture: Callable[..., Fixture]) -> Match:
    return Match(await sync_to_async(make_fixture)())


def connect(path: str, *, origin: tuple[bytes, bytes] = ORIGIN) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=[origin])


async def receive(communicator: WebsocketCommunicator, timeout: float = 3) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await communicator.receive_from(timeout=timeout))
    return message


async def test_a_viewer_gets_what_changed_after_its_position_then_live_changes(
    match: Match,
) -> None:
    await sync_to_async(match.store)(10)
    viewer = connect(f"/ws/fixtures/{match.fixture.id}/?after=4")
    assert (await viewer.connect())[0]
    snapshot = await receive(viewer)
    assert snapshot["type"] == "snapshot" and snapshot["position"] == 9
    assert sorted(a["last_position"] for a in snapshot["actions"]) == [5, 6, 7, 8, 9]
    assert snapshot["fixture"]["id"] == str(match.fixture.id)
    await sync_to_async(match.store)(2)
    changes = [await receive(viewer), await receive(viewer)]
    assert [(c["type"], c["position"]) for c in changes] == [("change", 10), ("change", 11)]
    assert changes[1]["action"]["last_position"] == 11
    assert changes[1]["fixture"]["last_position"] == 11
    await viewer.disconnect()


async def test_a_new_viewer_without_a_position_gets_every_action(match: Match) -> None:
    await sync_to_async(match.store)(3)
    viewer = connect(f"/ws/fixtures/{match.fixture.id}/")
    assert (await viewer.connect())[0]
    snapshot = await receive(viewer)
    assert (snapshot["position"], len(snapshot["actions"])) == (2, 3)
    await viewer.disconnect()


@pytest.mark.parametrize("stored_while", ["before_the_backlog_is_read", "after_it_is_read"])
async def test_a_packet_stored_while_the_socket_is_set_up_arrives_once(
    match: Match, monkeypatch: pytest.MonkeyPatch, stored_while: str
) -> None:
    await sync_to_async(match.store)(3)
    read_backlog = snapshots.fixture_snapshot

    def racing_snapshot(fixture_id: uuid.UUID, after: int) -> snapshots.Snapshot | None:
        if stored_while == "before_the_backlog_is_read":
            match.store(1)
            return read_backlog(fixture_id, after)
        snapshot = read_backlog(fixture_id, after)
        match.store(1)
        return snapshot

    monkeypatch.setattr(consumers, "_fixture_snapshot", database_sync_to_async(racing_snapshot))
    viewer = connect(f"/ws/fixtures/{match.fixture.id}/?after=2")
    assert (await viewer.connect())[0]
    positions = await received_positions(viewer, through=3)
    await sync_to_async(match.store)(1)
    positions += await received_positions(viewer, through=4)
    assert await viewer.receive_nothing(timeout=0.5)  # and nothing twice after that
    expected = [3, 4] if stored_while == "before_the_backlog_is_read" else [2, 3, 4]
    assert positions == expected
    await viewer.disconnect()


async def received_positions(viewer: WebsocketCommunicator, *, through: int) -> list[int]:
    """Positions covered by what a viewer receives, up to the message covering ``through``:
    a snapshot covers the actions it lists (one per position here, or its own position
    when it lists none), a change covers its own position."""
    positions: list[int] = []
    while not positions or positions[-1] < through:
        message = await receive(viewer)
        if message["type"] == "snapshot":
            positions += [a["last_position"] for a in message["actions"]] or [message["position"]]
        else:
            positions.append(message["position"])
    return positions


async def test_a_lost_event_is_filled_from_postgres_without_gap_or_duplicate(
    match: Match,
) -> None:
    viewer = connect(f"/ws/fixtures/{match.fixture.id}/")
    assert (await viewer.connect())[0]
    assert (await receive(viewer))["position"] == -1
    await sync_to_async(match.store)(1)
    await sync_to_async(match.store)(1, publish=False)  # this event never reaches anyone
    await sync_to_async(match.store)(1)
    first, catch_up = await receive(viewer), await receive(viewer)
    assert (first["type"], first["position"]) == ("change", 0)
    assert (catch_up["type"], catch_up["position"]) == ("snapshot", 2)
    assert sorted(a["last_position"] for a in catch_up["actions"]) == [1, 2]
    assert await viewer.receive_nothing(timeout=0.5)
    await viewer.disconnect()


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/ws/fixtures/not-a-uuid/", 4400),
        ("/ws/fixtures/{known}/?after=-5", 4400),
        ("/ws/fixtures/{known}/?after=abc", 4400),
        ("/ws/fixtures/{known}/?after=1.5", 4400),
        ("/ws/fixtures/{known}/?after=99999999999999999999", 4400),
        ("/ws/fixtures/{known}/?after=%00", 4400),
        ("/ws/fixtures/{known}/?after=", 4400),
        ("/ws/fixtures/{known}/?after=%20", 4400),
        ("/ws/fixtures/%E2%9A%BD/", 4400),
        (f"/ws/fixtures/{uuid.uuid4()}/", 4404),
        ("/ws/fixtures/{known}/extra/", 4404),
        ("/ws/fixtures", 4404),
        ("/ws/nowhere/", 4404),
        ("/", 4404),
    ],
)
async def test_bad_paths_and_unknown_fixtures_are_closed_with_a_clear_code(
    match: Match, path: str, code: int
) -> None:
    viewer = connect(path.format(known=match.fixture.id))
    await viewer.connect()
    output = await viewer.receive_output(timeout=3)
    while output["type"] != "websocket.close":
        output = await viewer.receive_output(timeout=3)
    assert output["code"] == code


@pytest.mark.parametrize("query", ["", "?after=-1", "?other=1"])
async def test_a_viewer_without_a_usable_position_gets_the_whole_match(
    match: Match, query: str
) -> None:
    await sync_to_async(match.store)(2)
    viewer = connect(f"/ws/fixtures/{match.fixture.id}/{query}")
    assert (await viewer.connect())[0]
    snapshot = await receive(viewer)
    assert (snapshot["type"], len(snapshot["actions"])) == ("snapshot", 2)
    await viewer.disconnect()


async def test_a_foreign_origin_is_refused(match: Match) -> None:
    viewer = connect(
        f"/ws/fixtures/{match.fixture.id}/", origin=(b"origin", b"https://evil.example")
    )
    connected, _ = await viewer.connect()
    assert not connected


@pytest.mark.parametrize("path", ["/ws/fixtures/", "/ws/fixtures/{known}/"])
async def test_a_socket_without_an_origin_is_refused(match: Match, path: str) -> None:
    # Browsers always send Origin; a missing one is a script, or a stripped header.
    viewer = WebsocketCommunicator(application, path.format(known=match.fixture.id))
    connected, _ = await viewer.connect()
    assert not connected


async def test_nothing_a_viewer_sends_changes_anything(match: Match) -> None:
    await sync_to_async(match.store)(2)
    viewer = connect(f"/ws/fixtures/{match.fixture.id}/")
    assert (await viewer.connect())[0]
    await receive(viewer)
    await viewer.send_to(text_data=json.dumps({"type": "change", "position": 99, "action": {}}))
    await viewer.send_to(bytes_data=b"\x00\x01")
    assert await viewer.receive_nothing(timeout=0.5)
    assert await Packet.objects.filter(fixture_id=match.fixture.id).acount() == 2
    await viewer.disconnect()


async def test_the_scoreboard_sends_fixtures_then_each_score_change(match: Match) -> None:
    viewer = connect("/ws/fixtures/")
    assert (await viewer.connect())[0]
    board = await receive(viewer)
    assert board["type"] == "scoreboard"
    assert str(match.fixture.id) in {f["id"] for f in board["fixtures"]}
    match.feed.home = 1
    await sync_to_async(match.store)(1)
    score = await receive(viewer)
    assert (score["type"], score["fixture"]["home_score"]) == ("score", 1)
    await sync_to_async(match.store)(1)  # same score, status and period: nothing to show
    assert await viewer.receive_nothing(timeout=0.5)
    await viewer.disconnect()


@pytest.mark.slow  # idles for seven seconds
async def test_an_idle_viewer_stays_connected_and_still_gets_the_next_change(
    match: Match,
) -> None:
    viewer = connect(f"/ws/fixtures/{match.fixture.id}/")
    assert (await viewer.connect())[0]
    await receive(viewer)
    # The idle time is what this checks: longer than redis-py's socket timeouts (5 s).
    await asyncio.sleep(7)
    await sync_to_async(match.store)(1)
    assert (await receive(viewer))["position"] == 0
    await viewer.disconnect()


async def test_a_process_subscribes_once_per_group_whatever_its_viewers(match: Match) -> None:
    group = broadcast.fixture_group(match.fixture.id)
    viewers = [connect(f"/ws/fixtures/{match.fixture.id}/") for _ in range(3)]
    for viewer in viewers:
        assert (await viewer.connect())[0]
        await receive(viewer)
    local = fanout._groups()[group]
    assert len(local.viewers) == 3
    await sync_to_async(match.store)(1)
    assert [(await receive(v))["position"] for v in viewers] == [0, 0, 0]
    for viewer in viewers:
        await viewer.disconnect()
    assert group not in fanout._groups()
    assert local.subscribed.done() and local._reader is not None and local._reader.done()


async def test_a_viewer_reading_postgres_holds_up_nobody_and_then_gets_every_position(
    match: Match, monkeypatch: pytest.MonkeyPatch
) -> None:
    up_to_date = connect(f"/ws/fixtures/{match.fixture.id}/")
    assert (await up_to_date.connect())[0]
    await receive(up_to_date)
    # The next viewer's backlog read waits until we let it go, as a slow query would.
    read_backlog, reading, go_on = consumers._fixture_snapshot, asyncio.Event(), asyncio.Event()

    async def slow_snapshot(fixture_id: uuid.UUID, after: int) -> snapshots.Snapshot | None:
        reading.set()
        await go_on.wait()
        return await read_backlog(fixture_id, after)

    monkeypatch.setattr(consumers, "_fixture_snapshot", slow_snapshot)
    slow = connect(f"/ws/fixtures/{match.fixture.id}/")
    connecting = asyncio.ensure_future(slow.connect())
    await asyncio.wait_for(reading.wait(), timeout=3)  # joined the group, now reading
    for position in range(3):
        await sync_to_async(match.store)(1)
        assert (await receive(up_to_date))["position"] == position
    monkeypatch.setattr(consumers, "_fixture_snapshot", read_backlog)
    go_on.set()
    assert (await connecting)[0]
    await sync_to_async(match.store)(1)
    assert await received_positions(slow, through=3) == [0, 1, 2, 3]
    assert await slow.receive_nothing(timeout=0.5)
    await up_to_date.disconnect()
    await slow.disconnect()


async def test_a_viewer_that_cannot_fill_a_gap_is_closed_to_resume_on_reconnect(
    match: Match, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = connect(f"/ws/fixtures/{match.fixture.id}/")
    assert (await viewer.connect())[0]
    await receive(viewer)

    async def unreachable(fixture_id: uuid.UUID, after: int) -> snapshots.Snapshot | None:
        raise OSError("Postgres is unreachable")

    monkeypatch.setattr(consumers, "_fixture_snapshot", unreachable)
    await sync_to_async(match.store)(1, publish=False)  # this event never reaches anyone
    await sync_to_async(match.store)(1)
    assert await viewer.receive_output(timeout=3) == {"type": "websocket.close", "code": 1011}
    await viewer.disconnect()


async def test_the_lifespan_ends_the_process_subscriptions_at_shutdown(match: Match) -> None:
    group = broadcast.fixture_group(match.fixture.id)
    viewer = connect(f"/ws/fixtures/{match.fixture.id}/")
    assert (await viewer.connect())[0]
    await receive(viewer)
    local = fanout._groups()[group]
    lifespan = ApplicationCommunicator(application, {"type": "lifespan"})
    await lifespan.send_input({"type": "lifespan.startup"})
    assert await lifespan.receive_output(timeout=3) == {"type": "lifespan.startup.complete"}
    await lifespan.send_input({"type": "lifespan.shutdown"})
    assert await lifespan.receive_output(timeout=3) == {"type": "lifespan.shutdown.complete"}
    assert group not in fanout._groups()
    assert local._reader is not None and local._reader.done()
    await viewer.disconnect()
