"""The relay speaks the vendor's protocol: a real relay process, a plain websocket client."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from django.utils import timezone
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from streams.feed import dispatch
from streams.feed.writer import store_packets
from streams.models import Fixture, Packet
from streams.simulator import Match, generate_match
from tests.conftest import match_packets, store_match
from tests.relay.conftest import ACCEPT, HEARTBEAT, RunningRelay, StartRelay
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

INVALID_AUTH = {"message": "The supplied authentication is invalid", "level": "ERROR"}


def finished_match() -> Match:
    return generate_match(uuid.uuid4(), timezone.now() - dt.timedelta(hours=3))


def stream(
    relay: RunningRelay,
    fixture_id: uuid.UUID,
    *,
    start: int = 0,
    speed: str | None = None,
    media: bool = False,
    headers: dict[str, str] | None = None,
) -> ClientConnection:
    query = f"startPosition={start}" + (f"&speed={speed}" if speed else "")
    path = f"{'/media' if media else ''}/soccer/fixtures/{fixture_id}/actions?{query}"
    return connect(
        relay.ws_url + path,
        additional_headers={"Accept": ACCEPT} if headers is None else headers,
        open_timeout=10,
        close_timeout=2,
        max_size=None,
    )


def authorise(ws: ClientConnection, key: str) -> None:
    ws.send(json.dumps({"authToken": key}))
    assert json.loads(ws.recv(timeout=10)) == {"message": "Authorisation accepted", "level": "INFO"}


def until_closed(ws: ClientConnection, timeout: float = 20) -> tuple[list[str], int | None]:
    """Every frame until the relay closes, and its close code."""
    frames: list[str] = []
    try:
        while True:
            frame = ws.recv(timeout=timeout)
            assert isinstance(frame, str)
            frames.append(frame)
    except ConnectionClosed as exc:
        return frames, exc.rcvd.code if exc.rcvd else None


def data(frames: list[str]) -> list[str]:
    return [f for f in frames if "fixtureAction" in json.loads(f)]


def stored_texts(fixture_id: uuid.UUID) -> list[str]:
    return list(
        Packet.objects.filter(fixture_id=fixture_id)
        .order_by("position")
        .values_list("raw", flat=True)
    )


def test_an_upgrade_without_the_accept_header_gets_400_and_the_vendors_text(
    relay: RunningRelay,
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        stream(relay, uuid.uuid4(), headers={})
    assert refused.value.response.status_code == 400
    body = refused.value.response.body or b""
    assert body.decode() == "Request is missing required HTTP header 'Accept'"


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ({"authToken": "dde_" + "x" * 43}, INVALID_AUTH),
        ({"authToken": "not-even-a-key"}, INVALID_AUTH),
        (
            {"token": "wrong shape"},
            {"message": "Authentication message had incorrect format", "level": "ERROR"},
        ),
    ],
)
def test_a_bad_token_gets_the_vendors_error_and_a_close(
    relay: RunningRelay, message: dict[str, str], answer: dict[str, str]
) -> None:
    with stream(relay, store_match(finished_match()).id) as ws:
        ws.send(json.dumps(message))
        frames, code = until_closed(ws)
    assert [json.loads(f) for f in frames] == [answer]
    assert code == 1008


def test_a_read_only_token_is_refused_with_the_vendors_rejection_message(
    relay: RunningRelay, read_key: str
) -> None:
    with stream(relay, store_match(finished_match()).id) as ws:
        ws.send(json.dumps({"authToken": read_key}))
        frames, code = until_closed(ws)
    assert [json.loads(f) for f in frames] == [INVALID_AUTH]
    assert code == 1008
    assert "lacks stream" in relay.output()  # the log says why; the client gets the vendor's text


def test_heartbeats_come_while_a_fixture_is_idle(
    relay: RunningRelay, stream_key: str, make_fixture: Callable[..., Fixture]
) -> None:
    fixture = make_fixture()  # scheduled, nothing stored yet
    with stream(relay, fixture.id) as ws:
        authorise(ws, stream_key)
        arrivals = []
        for _ in range(4):
            message = json.loads(ws.recv(timeout=HEARTBEAT * 4))
            arrivals.append(time.monotonic())
            assert message["level"] == "INFO"
            assert message["message"].startswith("Heartbeat sent at ")
            stamp = message["message"].removeprefix("Heartbeat sent at ")
            assert (
                abs(dt.datetime.fromisoformat(stamp) - dt.datetime.now(dt.UTC)).total_seconds() < 5
            )
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert all(HEARTBEAT * 0.5 < gap < HEARTBEAT * 2 for gap in gaps), gaps


def test_a_finished_fixture_fast_is_every_stored_packet_byte_for_byte_then_a_close(
    relay: RunningRelay, stream_key: str
) -> None:
    match = finished_match()
    fixture = store_match(match)
    with stream(relay, fixture.id, speed="fast") as ws:
        authorise(ws, stream_key)
        frames, code = until_closed(ws)
    assert data(frames) == stored_texts(fixture.id) == match.frames
    assert json.loads(data(frames)[-1])["finished"] is True
    assert code == 1000


def test_the_media_path_serves_the_same_log_from_start_position(
    relay: RunningRelay, stream_key: str
) -> None:
    match = finished_match()
    fixture = store_match(match)
    with stream(relay, fixture.id, start=100, speed="fast", media=True) as ws:
        authorise(ws, stream_key)
        frames, code = until_closed(ws)
    assert data(frames) == match.frames[100:]  # startPosition=N skips N packets
    assert code == 1000


def test_start_position_past_the_end_of_a_finished_fixture_says_so_and_closes(
    relay: RunningRelay, stream_key: str
) -> None:
    match = finished_match()
    fixture = store_match(match)
    count = len(match.frames)
    with stream(relay, fixture.id, start=count + 5, speed="fast") as ws:
        authorise(ws, stream_key)
        frames, code = until_closed(ws)
    assert [json.loads(f) for f in frames] == [
        {
            "message": f"startPosition {count + 5} is past the end: the fixture finished "
            f"after {count} packets",
            "level": "WARN",
        }
    ]
    assert code == 1000


def test_start_position_past_the_end_of_a_live_fixture_waits_for_that_packet(
    relay: RunningRelay, stream_key: str
) -> None:
    match = finished_match()
    packets = match_packets(match)
    fixture = store_match(match, packets[:10])
    received: list[Any] = []

    def follow() -> None:
        with stream(relay, fixture.id, start=20) as ws:
            authorise(ws, stream_key)
            while len(data(received)) < 5:
                received.append(ws.recv(timeout=10))

    reader = threading.Thread(target=follow)
    reader.start()
    wait_for(lambda: len(received) >= 2, what="heartbeats before the packets exist")
    assert data(received) == []
    store_packets(fixture.id, packets[10:25])
    reader.join(timeout=20)
    assert data(received) == match.frames[20:25]


def test_an_unknown_fixture_gets_a_warning_and_its_packets_once_they_are_stored(
    relay: RunningRelay, stream_key: str
) -> None:
    match = finished_match()
    received: list[Any] = []

    def follow() -> None:
        with stream(relay, match.fixture_id) as ws:
            authorise(ws, stream_key)
            while len(data(received)) < 3:
                received.append(ws.recv(timeout=10))

    reader = threading.Thread(target=follow)
    reader.start()
    wait_for(lambda: len(received) >= 2, what="the warning and a heartbeat")
    assert json.loads(received[0]) == {
        "message": f"Could not find fixture topic {match.fixture_id}",
        "level": "WARN",
    }
    store_match(match, match_packets(match)[:3])
    reader.join(timeout=20)
    assert data(received) == match.frames[:3]


def test_the_rest_twin_lists_the_stored_packets_as_received_for_a_stream_token(
    relay: RunningRelay, stream_key: str, read_key: str
) -> None:
    match = finished_match()
    fixture = store_match(match)
    url = f"{relay.http_url}/soccer/fixtures/{fixture.id}/actions"

    def get(headers: dict[str, str]) -> httpx.Response:
        return httpx.get(url, headers=headers, timeout=10)

    missing_accept = get({"Authorization": f"Bearer {stream_key}"})
    assert (missing_accept.status_code, missing_accept.text) == (
        400,
        "Request is missing required HTTP header 'Accept'",
    )
    for key in ("dde_" + "y" * 43, read_key):
        refused = get({"Accept": ACCEPT, "Authorization": f"Bearer {key}"})
        assert (refused.status_code, refused.text) == (
            401,
            "The supplied authentication is invalid",
        )
    answer = get({"Accept": ACCEPT, "Authorization": f"Bearer {stream_key}"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.text == "[" + ",".join(match.frames) + "]"
    missing = httpx.get(
        f"{relay.http_url}/soccer/fixtures/{uuid.uuid4()}/actions",
        headers={"Accept": ACCEPT, "Authorization": f"Bearer {stream_key}"},
        timeout=10,
    )
    assert missing.status_code == 404


def test_normal_speed_replays_a_finished_fixture_with_the_spacing_it_was_received_with(
    relay: RunningRelay, stream_key: str, make_fixture: Callable[..., Fixture]
) -> None:
    packets = match_packets(finished_match())
    chosen = [*packets[:3], packets[-1]]  # the last one has finished: true
    fixture = make_fixture()
    start = timezone.now() - dt.timedelta(hours=1)
    spacing = [0.0, 0.6, 1.2, 1.5]
    store_packets(
        fixture.id, chosen, received_at=[start + dt.timedelta(seconds=s) for s in spacing]
    )
    arrivals = []
    with stream(relay, fixture.id, speed="normal") as ws:
        authorise(ws, stream_key)
        while len(arrivals) < len(chosen):
            if "fixtureAction" in json.loads(ws.recv(timeout=10)):
                arrivals.append(time.monotonic())
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    for gap, expected in zip(gaps, [0.6, 0.6, 0.3], strict=True):
        assert expected * 0.8 < gap < expected + 0.4, gaps
    with stream(relay, fixture.id, speed="fast") as ws:
        authorise(ws, stream_key)
        began = time.monotonic()
        frames, code = until_closed(ws)
    assert len(data(frames)) == len(chosen) and code == 1000
    assert time.monotonic() - began < 0.5


def test_clients_of_a_fixture_replayed_from_the_start_are_told_to_reconnect(
    relay: RunningRelay, stream_key: str
) -> None:
    match = finished_match()
    fixture = store_match(match, match_packets(match)[:30])
    with stream(relay, fixture.id) as ws:
        authorise(ws, stream_key)
        received = [ws.recv(timeout=10) for _ in range(30)]
        assert data(received) == match.frames[:30]
        dispatch.reset_fixture(fixture.id)  # what admin's "replay from the start" does first
        frames, code = until_closed(ws, timeout=10)
    assert data(frames) == []
    assert code == 1012


def test_a_relay_at_capacity_refuses_the_upgrade_with_503(
    start_relay: StartRelay, stream_key: str, make_fixture: Callable[..., Fixture]
) -> None:
    relay = start_relay(max_clients=1)
    fixture = make_fixture()
    with stream(relay, fixture.id) as first:
        authorise(first, stream_key)
        with pytest.raises(InvalidStatus) as refused:
            stream(relay, fixture.id)
        assert refused.value.response.status_code == 503
    wait_for(lambda: _opens(relay, fixture.id), what="room again once the first has gone")


def _opens(relay: RunningRelay, fixture_id: uuid.UUID) -> bool:
    try:
        with stream(relay, fixture_id):
            return True
    except InvalidStatus:
        return False


def test_the_rest_twin_serves_only_the_actions_endpoint(
    relay: RunningRelay, stream_key: str
) -> None:
    headers = {"Accept": ACCEPT, "Authorization": f"Bearer {stream_key}"}
    for path in ("/soccer/fixtures", f"/soccer/fixtures/{uuid.uuid4()}", "/elsewhere"):
        answer = httpx.get(relay.http_url + path, headers=headers, timeout=10)
        assert answer.status_code == 404
        assert answer.json()["status"] == 404


def test_a_key_never_reaches_the_relays_log_even_at_debug_level(
    start_relay: StartRelay, stream_key: str, read_key: str
) -> None:
    relay = start_relay(LOG_LEVEL="DEBUG")
    fixture = store_match(finished_match())
    for key in (stream_key, read_key):
        with stream(relay, fixture.id, speed="fast") as ws:
            ws.send(json.dumps({"authToken": key}))
            until_closed(ws)
    httpx.get(
        f"{relay.http_url}/soccer/fixtures/{fixture.id}/actions",
        headers={"Accept": ACCEPT, "Authorization": f"Bearer {stream_key}"},
        timeout=10,
    )
    wait_for(lambda: "relay.closed" in relay.output(), what="the session's last line")
    output = relay.output()
    assert "relay.refused" in output and "relay.authorised" in output
    assert stream_key not in output and read_key not in output
