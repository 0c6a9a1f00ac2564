"""The vendor's paths, texts and message shapes, as the relay answers with them.

The simulator speaks the same protocol (docs/dde-protocol.md §2-§4, §11, §13), so its
routes, texts and response builders are the relay's too: one spelling of each vendor
text in the code base. What only the relay says is defined here.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from websockets.datastructures import Headers
from websockets.http11 import Request

from streams.simulator.feed import control
from streams.simulator.render import wire_timestamp
from streams.simulator.rest import JSON, error_response, response, text_response
from streams.simulator.routes import (
    ACCEPT_MEDIA_TYPE,
    BadRequest,
    NotFound,
    StreamRequest,
    parse_rest,
    parse_stream,
)
from streams.simulator.server import (
    AUTH_ACCEPTED,
    AUTH_BAD_FORMAT,
    AUTH_MISSING,
    INVALID_AUTH,
    MISSING_ACCEPT,
    POLICY_VIOLATION,
    auth_token,
)

__all__ = [
    "ACCEPT_MEDIA_TYPE",
    "AUTH_ACCEPTED",
    "AUTH_BAD_FORMAT",
    "AUTH_MISSING",
    "FINISHED",
    "INVALID_AUTH",
    "JSON",
    "MISSING_ACCEPT",
    "POLICY_VIOLATION",
    "BadRequest",
    "NotFound",
    "StreamRequest",
    "accepts",
    "auth_token",
    "bearer_key",
    "control",
    "error_response",
    "heartbeat",
    "parse_rest",
    "parse_stream",
    "past_the_end",
    "response",
    "text_response",
    "unknown_fixture",
]

# Close codes. The vendor documents none (§14 q1, q7); these are the standard meanings.
FINISHED: Final = 1000  # after the packet with finished: true (nothing follows it, §5.1)
RESTARTED: Final = 1012  # the fixture's log was replayed from the start in admin
SHUTTING_DOWN: Final = 1001
SERVER_ERROR: Final = 1011


def heartbeat(now: dt.datetime) -> str:
    """The heartbeat the simulator sends, after the sibling tracking stream's (§3)."""
    return control(f"Heartbeat sent at {wire_timestamp(now)}", "INFO")


def unknown_fixture(fixture_id: str) -> str:
    """After the tracking stream's WARN (§2.3); the connection stays open for its packets."""
    return control(f"Could not find fixture topic {fixture_id}", "WARN")


def past_the_end(start_position: int, count: int) -> str:
    return control(
        f"startPosition {start_position} is past the end: the fixture finished after "
        f"{count} packets",
        "WARN",
    )


def _header(headers: Headers, name: str) -> str:
    return ", ".join(headers.get_all(name))


def accepts(request: Request) -> bool:
    """The Accept header the vendor requires on every request (§2.1, §11)."""
    return ACCEPT_MEDIA_TYPE in _header(request.headers, "Accept")


def is_upgrade(request: Request) -> bool:
    return "websocket" in _header(request.headers, "Upgrade").lower()


def bearer_key(request: Request) -> str | None:
    """The key of ``Authorization: Bearer <key>`` (or ``Token <key>``, as /api/ takes)."""
    scheme, _, key = _header(request.headers, "Authorization").partition(" ")
    if scheme.lower() not in ("bearer", "token") or not key.strip():
        return None
    return key.strip()
