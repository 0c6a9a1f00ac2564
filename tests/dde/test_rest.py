"""The vendor REST API client, against httpx.MockTransport (docs/dde-protocol.md §11)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from streams.dde.endpoint import ACCEPT
from streams.dde.rest import DdeApi, DdeApiError, FixtureInfo, InvalidFixture, parse_fixture

TOKEN = "rest-s3cret"
FIXTURE = "a777703c-3c72-4a09-ad3a-355a965067ad"
# The FAQ example (§11.1), completed with a second team.
DOCUMENTED = {
    "id": FIXTURE,
    "name": "Nyköbing FC v FC Helsingör",
    "status": "Unverified",
    "collectionStatus": "CollectionDropped",
    "type": "Official",
    "coverageLevel": "No Coverage",
    "startDateUTC": "2023-02-25T14:00:00",
    "teams": [
        {
            "id": "6df3101e-aae1-4ac8-8ddb-f0874ced1ed7",
            "name": "Nyköbing FC",
            "club": {"id": "525f6e10-0ec0-42d6-b018-c3ee864fdcbc", "name": "NYKÖBING FC"},
        },
        {"id": "0c6a3d1e-0000-4000-8000-000000000002", "name": "FC Helsingör"},
    ],
}


def api(handler: Callable[[httpx.Request], httpx.Response]) -> DdeApi:
    return DdeApi("http://dde.test/", TOKEN, transport=httpx.MockTransport(handler))


def answering(body: Any, status: int = 200) -> tuple[list[httpx.Request], DdeApi]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    return seen, api(handler)


def test_requests_carry_accept_and_the_bearer_token() -> None:
    seen, client = answering([])
    client.fixtures(live=True, size=50)
    request = seen[0]
    assert request.headers["Accept"] == ACCEPT
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.url.path == "/soccer/fixtures"
    assert dict(request.url.params) == {"live": "true", "size": "50"}


@pytest.mark.parametrize("key", ["content", "data", "fixtures", "items"])
def test_fixtures_accepts_a_paged_wrapper(key: str) -> None:
    _, client = answering({key: [DOCUMENTED], "totalPages": 1, "number": 0})
    assert client.fixtures() == [DOCUMENTED]


def test_fixtures_accepts_a_bare_array_and_skips_non_objects() -> None:
    _, client = answering([DOCUMENTED, "junk", 3])
    assert client.fixtures() == [DOCUMENTED]


def test_a_wrapper_without_a_list_is_an_error() -> None:
    _, client = answering({"page": 0})
    with pytest.raises(DdeApiError, match="fixture list without"):
        client.fixtures()


def test_fixture_and_actions_use_the_documented_paths() -> None:
    seen, client = answering(DOCUMENTED)
    assert client.fixture(FIXTURE) == DOCUMENTED
    _, listing = answering([{"fixtureAction": {"actionId": FIXTURE}}])
    assert listing.actions(FIXTURE) == [{"fixtureAction": {"actionId": FIXTURE}}]
    assert seen[0].url.path == f"/soccer/fixtures/{FIXTURE}"


def test_a_non_2xx_answer_raises_with_status_and_body_but_never_the_token() -> None:
    _, client = answering({"errorMessage": "Supplied token could not be authenticated"}, 401)
    with pytest.raises(DdeApiError) as failure:
        client.fixture(FIXTURE)
    assert failure.value.status == 401
    assert "Supplied token could not be authenticated" in str(failure.value)
    assert "HTTP 401" in str(failure.value) and TOKEN not in str(failure.value)


def test_an_unreachable_api_raises_dde_api_error_without_status() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(DdeApiError) as failure:
        api(refuse).fixtures()
    assert failure.value.status is None and TOKEN not in str(failure.value)


def test_a_2xx_answer_that_is_not_json_raises_dde_api_error() -> None:
    with pytest.raises(DdeApiError, match="invalid JSON"):
        api(lambda request: httpx.Response(200, text="<html>")).fixtures()


def test_parse_fixture_reads_the_documented_example() -> None:
    assert parse_fixture(DOCUMENTED) == FixtureInfo(
        id=FIXTURE,
        name="Nyköbing FC v FC Helsingör",
        home_team="Nyköbing FC",
        away_team="FC Helsingör",
        home_team_id="6df3101e-aae1-4ac8-8ddb-f0874ced1ed7",
        away_team_id="0c6a3d1e-0000-4000-8000-000000000002",
        kickoff=dt.datetime(2023, 2, 25, 14, 0, tzinfo=dt.UTC),
        status="Unverified",
        collection_status="CollectionDropped",
        coverage_level="No Coverage",
    )


@pytest.mark.parametrize(
    "name", ["Home Town v Away City", "Home Town vs Away City", "Home Town VS. Away City"]
)
def test_team_names_fall_back_to_the_fixture_name(name: str) -> None:
    info = parse_fixture({"id": FIXTURE, "name": name, "startDateUTC": "2024-05-01T18:30:00"})
    assert (info.home_team, info.away_team) == ("Home Town", "Away City")
    assert info.home_team_id is None and info.status is None


def test_a_team_marked_home_is_home_whatever_its_place() -> None:
    teams = [{"id": "2", "name": "Visitors", "homeTeam": False}, {"id": "1", "name": "Hosts"}]
    info = parse_fixture({"id": FIXTURE, "startDateUTC": "2024-05-01", "teams": teams})
    assert (info.home_team, info.away_team, info.home_team_id) == ("Hosts", "Visitors", "1")
    assert info.name == "Hosts v Visitors"


def test_statuses_are_canonical_names_whatever_their_case_or_form() -> None:
    raw = {**DOCUMENTED, "status": "LIVE", "collectionStatus": 1}
    info = parse_fixture(json.loads(json.dumps(raw)))
    assert (info.status, info.collection_status) == ("Live", "CollectingLive")


@pytest.mark.parametrize(
    "broken", [{"id": "nope", "startDateUTC": "2024-05-01T18:30:00"}, {"id": FIXTURE}]
)
def test_a_fixture_without_uuid_or_kickoff_is_an_api_error(broken: dict[str, Any]) -> None:
    with pytest.raises(InvalidFixture) as failure:
        parse_fixture(broken)
    assert isinstance(failure.value, DdeApiError)


def paged_server(
    fixtures: list[dict[str, Any]], *, wrapper: str | None = None
) -> tuple[list[dict[str, str]], DdeApi]:
    """A server that pages ``fixtures`` by ``page`` and ``size``; records each query."""
    queries: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        queries.append(query)
        page, size = int(query["page"]), int(query["size"])
        items = fixtures[page * size : (page + 1) * size]
        if wrapper == "totalPages":
            pages = -(-len(fixtures) // size)
            return httpx.Response(200, json={"content": items, "totalPages": pages})
        if wrapper == "last":
            last = (page + 1) * size >= len(fixtures)
            return httpx.Response(200, json={"content": items, "last": last})
        return httpx.Response(200, json=items)

    return queries, api(handler)


def numbered(count: int) -> list[dict[str, Any]]:
    return [{**DOCUMENTED, "id": f"00000000-0000-4000-8000-{n:012d}"} for n in range(count)]


@pytest.mark.parametrize("wrapper", [None, "totalPages", "last"])
def test_all_fixtures_walks_every_page_and_stops_after_the_last(wrapper: str | None) -> None:
    fixtures = numbered(7)
    queries, client = paged_server(fixtures, wrapper=wrapper)
    assert list(client.all_fixtures(page_size=3, live="true")) == fixtures
    assert [q["page"] for q in queries] == ["0", "1", "2"]
    assert all(q["size"] == "3" and q["live"] == "true" for q in queries)


def test_all_fixtures_asks_once_more_after_a_full_last_page_of_a_bare_array() -> None:
    fixtures = numbered(6)
    queries, client = paged_server(fixtures)
    assert list(client.all_fixtures(page_size=3)) == fixtures
    assert [q["page"] for q in queries] == ["0", "1", "2"]


def test_all_fixtures_stops_when_the_server_ignores_the_page_number() -> None:
    fixtures = numbered(3)
    seen, client = answering(fixtures)
    assert list(client.all_fixtures(page_size=3)) == fixtures
    assert len(seen) == 2
