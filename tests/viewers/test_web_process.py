"""The web process as deployed (uvicorn through the launcher) towards viewers: a restart
closes their sockets with "service restart" and they resume by position on the next one;
no compression is negotiated; the server does not name itself; other sites' pages are
refused a socket."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import uuid
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from streams.feed.writer import store_packets
from streams.models import Action, Fixture
from streams.simulator import generate_match
from tests.conftest import match_packets, store_match
from tests.support.processes import free_port, started_web

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CLOSE_SERVICE_RESTART = 1012
KICKOFF = dt.datetime(2026, 11, 28, 15, tzinfo=dt.UTC)


def socket_url(base: str, fixture: Fixture, after: int) -> str:
    return base.replace("http://", "ws://") + f"/ws/fixtures/{fixture.id}/?after={after}"


async def snapshot(socket: ClientConnection) -> dict[str, Any]:
    """The first whole snapshot on the socket (feed-state messages come and go around it)."""
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=30))
        if message["type"] == "snapshot" and message.get("part", 1) == message.get("parts", 1):
            return message


def test_a_restart_closes_viewers_with_service_restart_and_they_resume_by_position() -> None:
    match = generate_match(uuid.uuid4(), KICKOFF)
    packets = match_packets(match)
    fixture = store_match(match, packets[:200])
    port = free_port()

    with contextlib.ExitStack() as running:
        base = running.enter_context(started_web(port))

        async def watch_the_stop() -> tuple[int, int | None]:
            async with websockets.connect(socket_url(base, fixture, -1), origin=base) as socket:
                first = await snapshot(socket)
                # SIGTERM, and wait for the process to exit, while this loop reads on.
                await asyncio.to_thread(running.close)
                with pytest.raises(websockets.ConnectionClosed):
                    while True:
                        await asyncio.wait_for(socket.recv(), timeout=30)
                return first["position"], socket.close_code

        position, code = asyncio.run(watch_the_stop())
    assert position == 199
    assert code == CLOSE_SERVICE_RESTART

    store_packets(fixture.id, packets[200:260])  # stored while no web process was up
    with started_web(port) as base:

        async def resume() -> dict[str, Any]:
            url = socket_url(base, fixture, position)
            async with websockets.connect(url, origin=base) as socket:
                return await snapshot(socket)

        catch_up = asyncio.run(resume())
    assert catch_up["position"] == 259
    resent = {action["action_id"] for action in catch_up["actions"]}
    changed_while_down = Action.objects.filter(fixture=fixture, last_position__gt=position)
    assert resent == {str(a) for a in changed_while_down.values_list("action_id", flat=True)}
    assert resent  # 60 packets changed something


def test_no_compression_is_negotiated_and_the_server_does_not_name_itself(
    web_process: str,
) -> None:
    match = generate_match(uuid.uuid4(), KICKOFF)
    fixture = store_match(match, match_packets(match)[:5])

    async def extensions() -> str | None:
        # websockets offers permessage-deflate by default, as browsers do.
        async with websockets.connect(
            socket_url(web_process, fixture, -1), origin=web_process
        ) as socket:
            await snapshot(socket)
            assert socket.response is not None
            return socket.response.headers.get("Sec-WebSocket-Extensions")

    assert asyncio.run(extensions()) is None
    assert "server" not in httpx.get(f"{web_process}/healthz").headers


def test_a_socket_opened_from_a_page_of_another_site_is_refused(web_process: str) -> None:
    match = generate_match(uuid.uuid4(), KICKOFF)
    fixture = store_match(match, match_packets(match)[:5])

    async def status(origin: str) -> int:
        try:
            async with websockets.connect(socket_url(web_process, fixture, -1), origin=origin):
                return 101
        except websockets.InvalidStatus as refused:
            return refused.response.status_code

    assert asyncio.run(status("https://elsewhere.example")) == 403
    assert asyncio.run(status(web_process)) == 101
