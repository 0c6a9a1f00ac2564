"""The fixtures list (filters, pages) and one fixture (summary, period scores, counts)."""

from __future__ import annotations

import base64
import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from streams.api.pagination import encode_cursor
from streams.models import Action, Fixture, RejectedFrame
from tests.api.conftest import MakeFixture, all_pages, match_number
from tests.conftest import store_match

pytestmark = pytest.mark.django_db


def ids(rows: list[dict[str, object]]) -> list[str]:
    return [str(row["id"]) for row in rows]


def test_the_list_is_every_fixture_latest_kickoff_first_in_fixture_payload_shape(
    api: Client, make_fixture: MakeFixture
) -> None:
    now = timezone.now()
    fixtures = [make_fixture(kickoff=now - dt.timedelta(hours=h)) for h in range(5)]
    response = api.get("/api/fixtures/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert ids(rows) == [str(f.id) for f in fixtures]
    assert rows[0] == fixtures[0].to_payload()
    assert response.json()["next"] is None


def test_pages_follow_one_another_without_gap_or_repeat_even_with_equal_kickoffs(
    api: Client, make_fixture: MakeFixture
) -> None:
    kickoff = timezone.now()
    fixtures = [make_fixture(kickoff=kickoff - dt.timedelta(hours=h // 3)) for h in range(10)]
    rows = all_pages(api, "/api/fixtures/?page_size=3")
    expected = sorted(fixtures, key=lambda f: (f.kickoff, f.id), reverse=True)
    assert ids(rows) == [str(f.id) for f in expected]


def test_the_list_filters_by_status_kickoff_dates_team_competition_and_live(
    api: Client, make_fixture: MakeFixture
) -> None:
    day = dt.datetime(2025, 5, 10, 23, 30, tzinfo=dt.UTC)
    live = make_fixture(
        kickoff=day, status="Live", home_team="Arsenal", competition="Premier League"
    )
    done = make_fixture(
        kickoff=day + dt.timedelta(hours=1),
        status="Completed",
        away_team="Arsenal Women",
        competition="Women's Super League",
    )
    later = make_fixture(kickoff=day + dt.timedelta(days=3), status="Scheduled")

    def listed(query: str) -> set[str]:
        response = api.get(f"/api/fixtures/?{query}")
        assert response.status_code == 200, response.content
        return set(ids(response.json()["results"]))

    assert listed("status=Live") == {str(live.id)}
    assert listed("kickoff_from=2025-05-11") == {str(done.id), str(later.id)}
    assert listed("kickoff_to=2025-05-10") == {str(live.id)}
    assert listed("kickoff_from=2025-05-11&kickoff_to=2025-05-11") == {str(done.id)}
    assert listed("team=arsenal") == {str(live.id), str(done.id)}
    assert listed("competition=premier") == {str(live.id)}
    assert listed("competition=LEAGUE") == {str(live.id), str(done.id)}
    assert listed("live=true") == {str(live.id)}
    assert listed("live=false") == {str(done.id), str(later.id)}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("status=Bogus", "status"),
        ("kickoff_from=2025-13-01", "kickoff_from"),
        ("kickoff_to=yesterday", "kickoff_to"),
        ("live=maybe", "live"),
        ("page_size=0", "page_size"),
        ("page_size=1001", "page_size"),
        ("page_size=-3", "page_size"),
        ("cursor=garbage", "cursor"),
        ("cursor=" + base64.urlsafe_b64encode(b"[" * 100_000).decode(), "cursor"),
        (
            "cursor=" + base64.urlsafe_b64encode(b'{"o":["-kickoff","-id"],"v":[1,2]}').decode(),
            "cursor",
        ),
        ("format=xml", "format"),
        ("format=csv", "format"),
        ("team=%00", "team"),
        ("competition=%00", "competition"),
    ],
)
def test_a_bad_list_parameter_gets_a_400_naming_it(api: Client, query: str, parameter: str) -> None:
    response = api.get(f"/api/fixtures/?{query}")
    assert response.status_code == 400
    assert parameter in response.json()


def test_one_fixture_has_its_summary_period_scores_and_counts(api: Client) -> None:
    fixture = store_match(match_number(2))
    RejectedFrame.objects.create(
        fixture=fixture, received_at=timezone.now(), reason="bad json", frame="{", size=1
    )
    response = api.get(f"/api/fixtures/{fixture.id}/")
    assert response.status_code == 200
    data = response.json()
    extras = ("period_scores", "counts", "reconciliation")
    assert {k: v for k, v in data.items() if k not in extras} == fixture.to_payload()
    actions = Action.objects.filter(fixture=fixture)
    assert data["counts"] == {
        "packets": fixture.last_position + 1,
        "actions": actions.count(),
        "removed_actions": actions.filter(removed=True).count(),
        "rejected_frames": 1,
    }
    first_half, second_half = data["period_scores"][:2]
    assert first_half["name"] == "Half-time" and first_half["period"] == 1
    assert (second_half["home"], second_half["away"]) == (
        fixture.periods[1]["home_score"],
        fixture.periods[1]["away_score"],
    )


def test_a_shootout_is_scored_by_its_own_tally(api: Client) -> None:
    match = next(m for m in map(match_number, range(100, 400)) if m.has_shootout)
    fixture = store_match(match)
    shootout = next(p for p in fixture.periods if p["type"] == "Shootout")
    scores = api.get(f"/api/fixtures/{fixture.id}/").json()["period_scores"]
    assert scores[-1] == {
        "period": shootout["id"],
        "name": "Penalties",
        "home": shootout["home_period_score"],
        "away": shootout["away_period_score"],
    }


def test_a_fixture_names_its_competition_and_venue_as_given_or_empty(
    api: Client, make_fixture: MakeFixture
) -> None:
    named = make_fixture(competition="<b>Cup</b>", venue='=HYPERLINK("x")')
    unnamed = make_fixture()
    for fixture, expected in [
        (named, ("<b>Cup</b>", '=HYPERLINK("x")')),
        (unnamed, ("", "")),
    ]:
        data = api.get(f"/api/fixtures/{fixture.id}/").json()
        assert (data["competition"], data["venue"]) == expected


def test_a_malformed_fixture_id_is_a_400_and_an_unknown_one_a_404(api: Client) -> None:
    for suffix in ["", "actions/", "packets/"]:
        bad = api.get(f"/api/fixtures/not-a-uuid/{suffix}")
        assert bad.status_code == 400
        assert "fixture_id" in bad.json()
        unknown = api.get(f"/api/fixtures/{uuid.UUID(int=0)}/{suffix}")
        assert unknown.status_code == 404
        assert "detail" in unknown.json()


def test_a_fixture_that_has_not_started_has_no_period_scores(
    api: Client, make_fixture: MakeFixture
) -> None:
    fixture = make_fixture()
    data = api.get(f"/api/fixtures/{fixture.id}/").json()
    assert data["period_scores"] == []
    assert data["counts"] == {
        "packets": 0,
        "actions": 0,
        "removed_actions": 0,
        "rejected_frames": 0,
    }
    assert isinstance(Fixture.objects.get().periods, list)


def test_a_forged_cursor_with_an_offset_postgres_refuses_is_still_answered(
    api: Client, make_fixture: MakeFixture
) -> None:
    make_fixture()
    cursor = encode_cursor(["-kickoff", "-id"], ["0001-01-01T00:00:00+23:59", str(uuid.uuid4())])
    response = api.get(f"/api/fixtures/?cursor={cursor}")
    assert response.status_code == 200
    assert response.json()["results"] == []
