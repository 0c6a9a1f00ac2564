"""The REST twins on the websocket's port: fixtures, one fixture, a fixture's actions."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from streams.simulator import Schedule, generate_match
from streams.simulator.schedule import recorded_kickoff
from tests.simulator.client import ACCEPT, HEADERS
from tests.simulator.conftest import StartServer

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def three_fixtures() -> tuple[Schedule, dict[str, uuid.UUID]]:
    schedule = Schedule()
    ids = {"finished": uuid.uuid4(), "live": uuid.uuid4(), "later": uuid.uuid4()}
    schedule.add(
        ids["finished"], kickoff=NOW - dt.timedelta(hours=4), home="Old Town", away="Past FC"
    )
    schedule.add(ids["live"], kickoff=NOW - dt.timedelta(minutes=20))
    schedule.add(ids["later"], kickoff=NOW + dt.timedelta(days=2))
    return schedule, ids


async def test_the_fixture_list_is_a_bare_array_of_scheduled_fixtures_in_kickoff_order(
    start_server: StartServer,
) -> None:
    schedule, ids = three_fixtures()
    server = await start_server(schedule=schedule)
    response = await server.get("/soccer/fixtures")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    fixtures = response.json()
    assert [fixture["id"] for fixture in fixtures] == [
        str(ids["finished"]),
        str(ids["live"]),
        str(ids["later"]),
    ]
    finished, live, later = (fixture["status"] for fixture in fixtures)
    assert (finished, later) == ("Completed", "Scheduled")
    # Twenty minutes in, a generated match may be in one of its no-signal suspensions.
    assert (live, fixtures[1]["collectionStatus"]) in {
        ("Live", "CollectingLive"),
        ("Suspended", "CollectionSuspended"),
    }
    assert fixtures[2]["collectionStatus"] == "CollectionScheduled"
    first = fixtures[0]
    assert first["name"] == "Old Town v Past FC"
    assert first["startDateUTC"] == (NOW - dt.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M:%S")
    assert (first["type"], first["coverageLevel"], first["fixtureDeleted"]) == (
        "Official",
        "Standard stream",
        False,
    )
    assert [team["name"] for team in first["teams"]] == ["Old Town", "Past FC"]
    assert set(first["teams"][0]) == {"id", "name", "club"}
    assert set(first["teams"][0]["club"]) == {"id", "name"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("live=true", ["live"]),
        ("status=completed", ["finished"]),
        ("status=Scheduled", ["later"]),
        (f"dateFrom={(NOW + dt.timedelta(days=1)).date()}", ["later"]),
        (f"dateTo={(NOW + dt.timedelta(days=1)).date()}", ["finished", "live"]),
        ("size=1&page=1", ["live"]),
    ],
)
async def test_the_fixture_list_can_be_filtered(
    start_server: StartServer, query: str, expected: list[str]
) -> None:
    schedule, ids = three_fixtures()
    server = await start_server(schedule=schedule)
    fixtures = (await server.get(f"/soccer/fixtures?{query}")).json()
    wanted = {key for key in ("finished", "live", "later") if key in expected}
    assert [fixture["id"] for fixture in fixtures] == [
        str(ids[key]) for key in ids if key in wanted
    ]


async def test_a_bad_date_filter_is_a_json_bad_request(start_server: StartServer) -> None:
    server = await start_server()
    response = await server.get("/soccer/fixtures?dateFrom=yesterday")
    assert response.status_code == 400
    assert response.json() == {"error": "dateFrom must be a date, YYYY-MM-DD", "status": 400}


async def test_any_fixture_id_can_be_looked_up_as_a_recorded_match(
    start_server: StartServer,
) -> None:
    server = await start_server()
    fixture_id = uuid.uuid4()
    fixture = (await server.get(f"/soccer/fixtures/{fixture_id}")).json()
    match = generate_match(fixture_id, recorded_kickoff(fixture_id))
    assert fixture["id"] == str(fixture_id)
    assert fixture["name"] == match.name
    assert fixture["teams"][0]["id"] == str(match.home.id)
    assert (fixture["status"], fixture["collectionStatus"]) == ("Completed", "CollectionCompleted")


async def test_the_actions_of_a_finished_match_are_all_its_packets(
    start_server: StartServer,
) -> None:
    server = await start_server()
    fixture_id = uuid.uuid4()
    response = await server.get(f"/soccer/fixtures/{fixture_id}/actions")
    assert response.status_code == 200
    assert response.json() == generate_match(fixture_id, recorded_kickoff(fixture_id)).packets


async def test_the_actions_of_a_live_match_are_those_released_so_far(
    start_server: StartServer,
) -> None:
    schedule, ids = three_fixtures()
    server = await start_server(schedule=schedule)
    match = server.simulator.schedule.match(ids["live"], 1.0)
    before = match.released(dt.datetime.now(dt.UTC))
    actions = (await server.get(f"/soccer/fixtures/{ids['live']}/actions")).json()
    after = match.released(dt.datetime.now(dt.UTC))
    assert before <= len(actions) <= after < len(match.packets)
    assert actions == match.packets[: len(actions)]
    later = (await server.get(f"/soccer/fixtures/{ids['later']}/actions")).json()
    assert later == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept": ACCEPT},
        {"Accept": ACCEPT, "Authorization": "Bearer nope"},
        {"Accept": ACCEPT, "Authorization": "test-token"},
    ],
)
async def test_rest_without_the_right_bearer_token_is_unauthorised(
    start_server: StartServer, headers: dict[str, str]
) -> None:
    server = await start_server()
    response = await server.get("/soccer/fixtures", headers=headers)
    assert (response.status_code, response.text) == (401, "The supplied authentication is invalid")


async def test_rest_without_the_accept_header_is_a_bad_request(start_server: StartServer) -> None:
    server = await start_server()
    response = await server.get(
        "/soccer/fixtures", headers={"Authorization": HEADERS["Authorization"]}
    )
    assert response.status_code == 400
    assert response.text == "Request is missing required HTTP header 'Accept'"


@pytest.mark.parametrize(
    "path",
    [
        "/soccer/seasons",
        "/soccer/fixtures/not-a-uuid",
        "/tennis/fixtures",
        "/soccer/fixtures/{id}/x",
    ],
)
async def test_an_unknown_rest_path_is_not_found(start_server: StartServer, path: str) -> None:
    server = await start_server()
    response = await server.get(path.replace("{id}", str(uuid.uuid4())))
    assert response.status_code == 404
    assert response.json()["status"] == 404


async def test_rest_requests_are_counted(start_server: StartServer) -> None:
    server = await start_server()
    await server.get("/soccer/fixtures")
    await server.get("/soccer/fixtures", headers={})
    assert server.simulator.stats.rest_requests == 2
    assert server.simulator.stats.upgrades == 0
