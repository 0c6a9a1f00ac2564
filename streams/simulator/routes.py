"""Parsing request paths and query strings for the stream and the REST twins."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import parse_qs, urlsplit

SPORT: Final = "soccer"
ACCEPT_MEDIA_TYPE: Final = "application/vnd.imggaming.dde.api+json"

Speed = Literal["fast", "normal"]


class BadRequest(ValueError):
    """A request the simulator answers with 400 and this message."""


class NotFound(LookupError):
    """A path the simulator does not serve (404)."""


@dataclass(frozen=True)
class StreamRequest:
    """``/{sport}/fixtures/{id}/actions`` (or ``/media/...``) with its query parameters."""

    fixture_id: uuid.UUID
    start_position: int = 0
    speed: Speed = "normal"
    media: bool = False


@dataclass(frozen=True)
class RestRequest:
    """A REST twin: the fixtures list, one fixture, or one fixture's actions."""

    kind: Literal["fixtures", "fixture", "actions"]
    fixture_id: uuid.UUID | None
    query: dict[str, str]


def _split(target: str) -> tuple[list[str], dict[str, str]]:
    parts = urlsplit(target)
    segments = [segment for segment in parts.path.split("/") if segment]
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    return segments, query


def _fixture_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound(f"no fixture {text!r}") from None


def parse_stream(target: str) -> StreamRequest:
    """The websocket route; raises NotFound or BadRequest."""
    segments, query = _split(target)
    media = bool(segments) and segments[0] == "media"
    if media:
        segments = segments[1:]
    if len(segments) != 4 or segments[1] != "fixtures" or segments[3] != "actions":
        raise NotFound("unknown path")
    if segments[0] != SPORT:
        raise NotFound(f"unknown sport {segments[0]!r}")
    fixture_id = _fixture_id(segments[2])
    raw_start = query.get("startPosition", "0")
    if not raw_start.isdigit():
        raise BadRequest("startPosition must be a non-negative integer")
    speed = query.get("speed", "normal")
    if speed not in ("fast", "normal"):
        raise BadRequest("speed must be fast or normal")
    return StreamRequest(fixture_id, int(raw_start), "fast" if speed == "fast" else "normal", media)


def parse_rest(target: str) -> RestRequest:
    """A REST route; raises NotFound."""
    segments, query = _split(target)
    if len(segments) < 2 or segments[0] != SPORT or segments[1] != "fixtures":
        raise NotFound("unknown path")
    if len(segments) == 2:
        return RestRequest("fixtures", None, query)
    fixture_id = _fixture_id(segments[2])
    if len(segments) == 3:
        return RestRequest("fixture", fixture_id, query)
    if len(segments) == 4 and segments[3] == "actions":
        return RestRequest("actions", fixture_id, query)
    raise NotFound("unknown path")
