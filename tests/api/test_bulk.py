"""The bulk export: actions of every fixture kicking off in a date range, paged or streamed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from streams.models import Action, Fixture
from tests.api.conftest import all_pages, csv_rows, match_number, ndjson_rows
from tests.conftest import store_match

DAY = dt.datetime(2025, 4, 5, 12, 0, tzinfo=dt.UTC)


def stored_days() -> list[Fixture]:
    """Matches kicking off on 4, 5 (two) and 6 April."""
    kickoffs = [
        DAY - dt.timedelta(days=1),
        DAY,
        DAY + dt.timedelta(hours=3),
        DAY + dt.timedelta(days=1),
    ]
    return [store_match(match_number(10 + i, kickoff)) for i, kickoff in enumerate(kickoffs)]


def expected(fixtures: list[Fixture], **filters: Any) -> list[dict[str, Any]]:
    actions = Action.objects.filter(fixture__in=fixtures, removed=False, **filters).order_by(
        "fixture_id", "last_position"
    )
    return [{"fixture_id": str(a.fixture_id), **a.to_payload()} for a in actions]


@pytest.mark.django_db(transaction=True)
def test_bulk_rows_are_every_action_of_the_range_in_json_csv_and_ndjson(api: Client) -> None:
    fixtures = stored_days()
    on_the_5th = fixtures[1:3]
    query = "kickoff_from=2025-04-05&kickoff_to=2025-04-05"
    rows = all_pages(api, f"/api/actions/?{query}&page_size=250")
    assert rows == expected(on_the_5th)

    as_csv = api.get(f"/api/actions/?{query}&format=csv")
    assert as_csv["Content-Disposition"] == (
        'attachment; filename="actions-2025-04-05-to-2025-04-05.csv"'
    )
    assert csv_rows(as_csv) == rows
    assert ndjson_rows(api.get(f"/api/actions/?{query}&format=ndjson")) == rows

    two_days = all_pages(
        api, "/api/actions/?kickoff_from=2025-04-05&kickoff_to=2025-04-06&page_size=1000"
    )
    assert two_days == expected(fixtures[1:])


@pytest.mark.django_db
def test_bulk_takes_the_action_filters_too(api: Client) -> None:
    fixtures = stored_days()
    query = "kickoff_from=2025-04-04&kickoff_to=2025-04-06&type=100&team=home"
    rows = all_pages(api, f"/api/actions/?{query}&page_size=5")
    assert rows == expected(fixtures, type_id=100, team_is_home=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "parameters"),
    [
        ("", {"kickoff_from", "kickoff_to"}),
        ("kickoff_from=2025-04-05", {"kickoff_to"}),
        ("kickoff_from=2025-04-05&kickoff_to=5/4/2025", {"kickoff_to"}),
        ("kickoff_from=0000-01-01&kickoff_to=2025-04-05", {"kickoff_from"}),
        ("kickoff_from=2025-04-05&kickoff_to=2025-04-05&format=tsv", {"format"}),
        ("kickoff_from=2025-04-05&kickoff_to=2025-04-05&after_position=3", {"after_position"}),
        ("kickof_from=2025-04-05&kickoff_to=2025-04-05", {"kickof_from", "kickoff_from"}),
    ],
)
def test_a_bad_bulk_request_gets_a_400_naming_each_parameter(
    api: Client, query: str, parameters: set[str]
) -> None:
    response = api.get(f"/api/actions/?{query}")
    assert response.status_code == 400
    assert set(response.json()) == parameters


@pytest.mark.django_db
def test_the_widest_date_range_is_not_an_error(api: Client) -> None:
    response = api.get("/api/actions/?kickoff_from=0001-01-01&kickoff_to=9999-12-31")
    assert response.status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
@pytest.mark.django_db
def test_a_bad_page_size_is_named_even_for_a_streamed_format(api: Client, fmt: str) -> None:
    response = api.get(
        f"/api/actions/?kickoff_from=2025-04-05&kickoff_to=2025-04-05&format={fmt}&page_size=-3"
    )
    assert response.status_code == 400
    assert "page_size" in response.json()
