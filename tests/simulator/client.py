"""Client-side helpers for the simulator tests: a real websockets client and httpx."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Final
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect

TOKEN: Final = "test-token"
ACCEPT: Final = "application/vnd.imggaming.dde.api+json;version=1"
HEADERS: Final = {"Accept": ACCEPT, "Authorization": f"Bearer {TOKEN}"}


def stream_url(base: str, fixture_id: object, **query: object) -> str:
    url = f"{base}/soccer/fixtures/{fixture_id}/actions"
    return f"{url}?{urlencode(query)}" if query else url


async def open_stream(url: str, token: str = TOKEN) -> ClientConnection:
    """Connect with the Accept header, authenticate, and check the server accepted."""
    # An unbounded queue keeps the client reading, so closing mid-replay completes at
    # once instead of waiting out close_timeout behind a paused transport.
    ws = await connect(url, additional_headers={"Accept": ACCEPT}, open_timeout=5, max_queue=None)
    await ws.send(json.dumps({"authToken": token}))
    reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert reply == {"message": "Authorisation accepted", "level": "INFO"}
    return ws


def is_packet(frame: str | bytes) -> bool:
    if isinstance(frame, bytes):
        return False
    try:
        message = json.loads(frame)
    except ValueError:
        return False
    return isinstance(message, dict) and "fixtureAction" in message


async def next_packet(ws: ClientConnection, timeout: float = 5.0) -> dict[str, Any]:
    """The next data packet, skipping heartbeats."""
    while True:
        frame = await asyncio.wait_for(ws.recv(), timeout)
        if is_packet(frame):
            packet: dict[str, Any] = json.loads(frame)
            return packet


async def packet_frames(ws: ClientConnection, count: int, timeout: float = 5.0) -> list[str]:
    """The raw text of the next ``count`` data packets, skipping heartbeats."""
    frames: list[str] = []
    while len(frames) < count:
        frame = await asyncio.wait_for(ws.recv(), timeout)
        if is_packet(frame):
            assert isinstance(frame, str)
            frames.append(frame)
    return frames
