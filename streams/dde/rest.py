"""The vendor's REST API: fixtures and the post-match action list (docs/dde-protocol.md §11)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import httpx

from streams.dde.bounds import FIXTURE_NAME_CHARS, NAME_CHARS, clean, clip
from streams.dde.endpoint import ACCEPT
from streams.dde.secrecy import excerpt, redact_token
from streams.dde.values import (
    COLLECTION_STATUSES,
    COVERAGE_LEVELS,
    FIXTURE_STATUSES,
    as_bool,
    as_datetime,
    as_id,
    as_text,
    as_uuid,
    enum_name,
)
from streams.dde.wire import FixtureTeamWire, FixtureWire

# §11.1: whether the list is a bare array or a paged wrapper is unknown; these are the
# usual wrapper keys (Spring's "content" first).
_LIST_KEYS = ("content", "data", "fixtures", "items")
# Pages asked for by ``all_fixtures``: the documented default of 20 would mean many
# requests on a busy Saturday; a stop after MAX_PAGES guards against a server that ignores
# ``page`` and answers the same full page for ever.
PAGE_SIZE = 100
MAX_PAGES = 500
_NAME_SEPARATOR = re.compile(r"\s+(?:v|vs\.?)\s+", re.IGNORECASE)
# What an error keeps of the vendor's answer: it is shown in admin messages and command
# output, and logged.
ERROR_BODY_CHARS = 500


class DdeApiError(Exception):
    """The API answered with an error, could not be reached, or sent something unusable.

    ``status`` is the HTTP status, or None when no usable response arrived. ``body`` is
    what the answer said, on one line, cut to ERROR_BODY_CHARS; ``DdeApi`` has taken the
    token out of it first (``streams.dde.secrecy``), as the websocket client does.
    """

    def __init__(self, status: int | None, body: str) -> None:
        what = f"HTTP {status}" if status is not None else "request failed"
        body = clip(body, ERROR_BODY_CHARS)
        super().__init__(f"DDE API {what}: {body}")
        self.status = status
        self.body = body


class InvalidFixture(DdeApiError):
    """A fixture object without the fields a fixture cannot do without (id, kick-off)."""

    def __init__(self, reason: str) -> None:
        super().__init__(None, reason)


@dataclass(frozen=True)
class FixtureInfo:
    """What we keep of a vendor fixture; ``kickoff`` is aware UTC."""

    id: str
    name: str
    home_team: str
    away_team: str
    home_team_id: str | None
    away_team_id: str | None
    kickoff: dt.datetime
    status: str | None
    collection_status: str | None
    coverage_level: str | None = None
    competition: str = ""
    venue: str = ""
    # Listed with ``includeDeleted=true``: the vendor removed the fixture (§11.1).
    deleted: bool = False


class DdeApi:
    """A small synchronous client. Each call opens and closes its own HTTP connection:
    calls are rare (a fixture import, a post-match fetch) and nothing is left to close.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        sport: str = "soccer",
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        before_request: Callable[[], None] | None = None,
    ) -> None:
        """``before_request`` is called before every HTTP request: the feed side passes a
        cluster-wide rate limit in here (``streams.feed.ratelimit``)."""
        self.base_url = base_url.rstrip("/")
        self.sport = sport
        self._token = token
        self._headers = {"Accept": ACCEPT, "Authorization": f"Bearer {token}"}
        self._timeout = timeout
        self._transport = transport
        self._before_request = before_request

    def fixtures(self, **params: Any) -> list[dict[str, Any]]:
        """``GET /{sport}/fixtures`` with query ``params`` (§11.1); one page, as listed."""
        return self._fixture_page(params)[0]

    def all_fixtures(self, page_size: int | None = None, **params: Any) -> Iterator[dict[str, Any]]:
        """Every fixture the list holds, page after page (``page`` is 0-based, §11.1).

        The last page is the one the paged wrapper says is last, or a short one, or one
        that brings no fixture not seen before (a server that ignores ``page``).
        """
        page_size = page_size or PAGE_SIZE
        seen: set[object] = set()
        for page in range(MAX_PAGES):
            listed, last = self._fixture_page({**params, "size": page_size, "page": page})
            new = [item for item in listed if item.get("id") not in seen]
            seen.update(item.get("id") for item in listed)
            yield from new
            if last or len(listed) < page_size or not new:
                return

    def fixtures_between(
        self,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        *,
        live: bool | None = None,
        status: str | None = None,
        include_deleted: bool = False,
        page_size: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every fixture from ``date_from`` to ``date_to`` (days, both included), on every
        page, with the documented filters (§11.1): ``live``, ``status`` (``scheduled``,
        ``live``, ``completed``, ``postponed``) and ``includeDeleted``, which lists fixtures
        the vendor removed with ``fixtureDeleted: true``."""
        params: dict[str, Any] = {}
        if date_from is not None:
            params["dateFrom"] = date_from.isoformat()
        if date_to is not None:
            params["dateTo"] = date_to.isoformat()
        if live is not None:
            params["live"] = "true" if live else "false"
        if status:
            params["status"] = status
        if include_deleted:
            params["includeDeleted"] = "true"
        return self.all_fixtures(page_size, **params)

    def _fixture_page(self, params: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
        """One page of the list and whether the wrapper marks it the last one."""
        # §11.1: the list pages when the request carries the ``paged: true`` header.
        body = self._get(f"/{self.sport}/fixtures", params, paged="page" in params)
        last = False
        if isinstance(body, dict):
            listed = next((body[k] for k in _LIST_KEYS if isinstance(body.get(k), list)), None)
            if listed is None:
                raise DdeApiError(None, f"fixture list without any of the keys {_LIST_KEYS}")
            last = _is_last_page(body, params.get("page", 0))
            body = listed
        return _objects(body, "fixture list"), last

    def fixture(self, fixture_id: str) -> dict[str, Any]:
        """``GET /{sport}/fixtures/{fixtureId}``."""
        body = self._get(f"/{self.sport}/fixtures/{fixture_id}")
        if not isinstance(body, dict):
            raise DdeApiError(None, f"fixture {fixture_id} is not a JSON object")
        return cast(dict[str, Any], body)

    def actions(self, fixture_id: str) -> list[dict[str, Any]]:
        """``GET /{sport}/fixtures/{fixtureId}/actions``: every packet, after the match (§11.2)."""
        return _objects(self._get(f"/{self.sport}/fixtures/{fixture_id}/actions"), "action list")

    def _get(
        self, path: str, params: dict[str, Any] | None = None, *, paged: bool = False
    ) -> object:
        if self._before_request is not None:
            self._before_request()
        headers = {**self._headers, "paged": "true"} if paged else self._headers
        try:
            with httpx.Client(
                base_url=self.base_url,
                headers=headers,
                timeout=self._timeout,
                transport=self._transport,
            ) as http:
                response = http.get(path, params=params)
        except httpx.HTTPError as exc:  # never echo the request: its headers hold the token
            raise self._error(None, f"{type(exc).__name__}: {exc}") from None
        if not response.is_success:
            raise self._error(response.status_code, response.text)
        try:
            return response.json()
        except ValueError as exc:
            raise self._error(response.status_code, f"invalid JSON: {exc}") from None

    def redact(self, text: str) -> str:
        """``text`` (a vendor's answer, or a message quoting one) without this client's token."""
        return redact_token(text, self._token)

    def _error(self, status: int | None, text: str) -> DdeApiError:
        # The vendor may echo the credentials it refused: out before the text is cut.
        return DdeApiError(status, self.redact(text))


def _is_last_page(wrapper: dict[str, Any], page: int) -> bool:
    """Spring-style paging metadata: ``last``, or ``totalPages`` beside the page number."""
    if as_bool(wrapper.get("last")) is True:
        return True
    total = wrapper.get("totalPages")
    return isinstance(total, int) and not isinstance(total, bool) and page + 1 >= total


def _objects(body: object, what: str) -> list[dict[str, Any]]:
    if not isinstance(body, list):
        raise DdeApiError(None, f"{what} is not a JSON array")
    return [cast(dict[str, Any], item) for item in body if isinstance(item, dict)]


def parse_fixture(obj: dict[str, Any]) -> FixtureInfo:
    """Read a Fixtures API object; raises ``InvalidFixture`` without a UUID id or kick-off.

    Names are cleaned and clipped (``streams.dde.bounds``): the fixture's to
    FIXTURE_NAME_CHARS, the teams' to NAME_CHARS, the widths of the columns that keep them.
    """
    raw = cast(FixtureWire, obj)
    fixture_id = as_uuid(raw.get("id"))
    if fixture_id is None:
        raise InvalidFixture(f"fixture id is not a UUID: {excerpt(raw.get('id'))}")
    kickoff = as_datetime(raw.get("startDateUTC"))  # documented without "Z": UTC (§11.1)
    if kickoff is None:
        raise InvalidFixture(f"fixture {fixture_id} has no usable startDateUTC")
    name = clean(as_text(raw.get("name")) or "")
    home, away = _teams(raw.get("teams"))
    named_home, named_away = _split_name(name)
    home_name = clip(as_text(home.get("name")) or named_home, NAME_CHARS)
    away_name = clip(as_text(away.get("name")) or named_away, NAME_CHARS)
    if not name and home_name and away_name:
        name = f"{home_name} v {away_name}"
    return FixtureInfo(
        id=fixture_id,
        name=clip(name, FIXTURE_NAME_CHARS),
        home_team=home_name,
        away_team=away_name,
        home_team_id=as_id(home.get("id")),
        away_team_id=as_id(away.get("id")),
        kickoff=kickoff,
        status=enum_name(raw.get("status"), FIXTURE_STATUSES),
        collection_status=enum_name(raw.get("collectionStatus"), COLLECTION_STATUSES),
        coverage_level=enum_name(raw.get("coverageLevel"), COVERAGE_LEVELS),
        deleted=as_bool(raw.get("fixtureDeleted")) is True,
        competition=clip(_named(obj, *COMPETITION_PATHS), NAME_CHARS),
        venue=clip(_named(obj, ("venue",)), NAME_CHARS),
    )


# Where a fixture may name its competition: the documented object has a ``stage``
# (stage, round, group) and the seasons endpoint a ``competition``, so these are inferred.
COMPETITION_PATHS: tuple[tuple[str, ...], ...] = (
    ("competition",),
    ("stage", "competition"),
    ("stage", "season", "competition"),
    ("season", "competition"),
)


def _named(obj: dict[str, Any], *paths: tuple[str, ...]) -> str:
    """The name at the first of ``paths`` that gives one: an object's ``name``, or a
    string itself; cleaned (``streams.dde.bounds``)."""
    for path in paths:
        value: object = obj
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, dict):
            value = value.get("name")
        text = as_text(value)
        if text:
            return clean(text)
    return ""


def _teams(value: object) -> tuple[FixtureTeamWire, FixtureTeamWire]:
    # §11.1: home is not marked in the documented snippet; the name lists home first, so
    # teams[] is read in that order unless an entry says otherwise with "homeTeam".
    listed = value if isinstance(value, list) else []
    teams = [cast(FixtureTeamWire, t) for t in listed if isinstance(t, dict)] + [{}, {}]
    first, second = teams[0], teams[1]
    if as_bool(first.get("homeTeam")) is False or as_bool(second.get("homeTeam")) is True:
        first, second = second, first
    return first, second


def _split_name(name: str) -> tuple[str, str]:
    parts = _NAME_SEPARATOR.split(name, maxsplit=1)
    if len(parts) != 2:
        return "", ""
    return parts[0].strip(), parts[1].strip()
