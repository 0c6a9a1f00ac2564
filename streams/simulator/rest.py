"""The REST twins: fixtures list, one fixture, and the packets a fixture has released."""

from __future__ import annotations

import datetime as dt
import email.utils
import http
import json
from typing import Any, Final

from websockets.datastructures import Headers
from websockets.http11 import Response

from streams.simulator.hostile import hostile_fixture
from streams.simulator.routes import SPORT, BadRequest, NotFound, RestRequest
from streams.simulator.schedule import FixtureEntry, Outline, Schedule

JSON: Final = "application/json"
TEXT: Final = "text/plain; charset=utf-8"
_LIVE: Final = ("Live", "Suspended")


def response(status: int, body: bytes, content_type: str = JSON) -> Response:
    code = http.HTTPStatus(status)
    headers = Headers(
        [
            ("Date", email.utils.formatdate(usegmt=True)),
            ("Connection", "close"),
            ("Content-Length", str(len(body))),
            ("Content-Type", content_type),
        ]
    )
    return Response(code.value, code.phrase, headers, body)


def text_response(status: int, text: str) -> Response:
    return response(status, text.encode(), TEXT)


def error_response(status: int, message: str) -> Response:
    """The older DDE error body, ``{"error": ..., "status": ...}`` (docs/dde-protocol.md §11)."""
    body = json.dumps({"error": message, "status": status}).encode()
    return response(status, body)


SIMULATED_COMPETITION = "Simulated League"


def fixture_payload(entry: FixtureEntry, outline: Outline, now: dt.datetime) -> dict[str, Any]:
    """A fixture object (§11.1); teams home first, as the name is."""
    status, collection = outline.status(now)
    status = entry.status or status  # postponed (or cancelled...) on command
    return {
        "id": str(entry.id),
        "name": outline.name,
        "startDateUTC": entry.kickoff.strftime("%Y-%m-%dT%H:%M:%S"),
        "status": status,
        "collectionStatus": collection,
        "type": "Official",
        "coverageLevel": "Standard stream",
        "teams": [
            {
                "id": str(team.id),
                "name": team.name,
                "club": {"id": str(team.club_id), "name": team.name.upper()},
            }
            for team in (outline.home, outline.away)
        ],
        "venue": {"name": f"{outline.home.name} Stadium"},
        # Not in the documented example: where we look for a competition (rest.py).
        "stage": {"name": "Regular season", "competition": {"name": SIMULATED_COMPETITION}},
        "sport": SPORT,
        "fixtureDeleted": entry.deleted,
        "updateCount": entry.update_count,
    }


def _listed(
    entry: FixtureEntry, schedule: Schedule, pace: float, now: dt.datetime
) -> dict[str, Any]:
    """The fixture object as the REST twins send it: hostile under ``--hostile``."""
    payload = fixture_payload(entry, schedule.outline(entry.id, pace), now)
    return hostile_fixture(payload, entry.id) if schedule.variant.hostile else payload


def _date(query: dict[str, str], name: str) -> dt.date | None:
    raw = query.get(name)
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a date, YYYY-MM-DD") from None


def _keep(payload: dict[str, Any], query: dict[str, str]) -> bool:
    start = dt.date.fromisoformat(payload["startDateUTC"][:10])
    date_from, date_to = _date(query, "dateFrom"), _date(query, "dateTo")
    if query.get("live", "").lower() == "true" and payload["status"] not in _LIVE:
        return False
    status = query.get("status")
    if status and payload["status"].lower() != status.lower():
        return False
    return not ((date_from and start < date_from) or (date_to and start > date_to))


def _page(items: list[dict[str, Any]], query: dict[str, str]) -> list[dict[str, Any]]:
    # Paging only when asked for, so a plain GET lists every scheduled fixture.
    if "size" not in query and "page" not in query:
        return items
    try:
        size, page = int(query.get("size", "20")), int(query.get("page", "0"))
    except ValueError:
        raise BadRequest("size and page must be integers") from None
    if size < 1 or page < 0:
        raise BadRequest("size must be positive and page not negative")
    return items[page * size : (page + 1) * size]


def _paged(items: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
    """With the ``paged: true`` header (§11.1): one page (20 by default) in a Spring-style
    wrapper carrying the "pageable" metadata."""
    try:
        size, page = int(query.get("size", "20")), int(query.get("page", "0"))
    except ValueError:
        raise BadRequest("size and page must be integers") from None
    if size < 1 or page < 0:
        raise BadRequest("size must be positive and page not negative")
    content = items[page * size : (page + 1) * size]
    total_pages = (len(items) + size - 1) // size
    return {
        "content": content,
        "pageable": {"pageNumber": page, "pageSize": size, "offset": page * size},
        "totalElements": len(items),
        "totalPages": total_pages,
        "number": page,
        "size": size,
        "numberOfElements": len(content),
        "first": page == 0,
        "last": page + 1 >= total_pages,
        "empty": not content,
    }


def answer(
    request: RestRequest,
    schedule: Schedule,
    pace: float,
    now: dt.datetime,
    *,
    paged: bool = False,
) -> Response:
    """The JSON answer to an authorised REST request; raises BadRequest."""
    if request.kind == "fixtures":
        return _fixtures(request.query, schedule, pace, now, paged=paged)
    assert request.fixture_id is not None
    entry = schedule.entry(request.fixture_id)
    if not entry.scheduled and not schedule.recorded:
        raise NotFound(f"no fixture {request.fixture_id}")
    if request.kind == "fixture":
        body = json.dumps(_listed(entry, schedule, pace, now), ensure_ascii=False)
        return response(200, body.encode())
    match = schedule.match(entry.id, pace)
    # The frames themselves, so the array holds exactly the values the socket sends.
    frames = match.frames[: match.released(now)]
    return response(200, ("[" + ",".join(frames) + "]").encode())


def _fixtures(
    query: dict[str, str], schedule: Schedule, pace: float, now: dt.datetime, *, paged: bool
) -> Response:
    _date(query, "dateFrom"), _date(query, "dateTo")  # a bad date is a 400 even if no fixture
    deleted_too = query.get("includeDeleted", "").lower() == "true"
    entries = [e for e in schedule.scheduled() if deleted_too or not e.deleted]
    listed = [_listed(entry, schedule, pace, now) for entry in entries]
    kept = [item for item in listed if _keep(item, query)]
    body: object = _paged(kept, query) if paged else _page(kept, query)
    return response(200, json.dumps(body, ensure_ascii=False).encode())
