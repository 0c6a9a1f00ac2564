"""A fixture's actions: JSON pages, filters, ordering, cursors; CSV and NDJSON streams."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from streams.api.export import ACTION_COLUMNS
from streams.models import Action, ActionType, Fixture, Packet
from tests.api.conftest import all_pages, csv_rows, match_number, ndjson_rows
from tests.conftest import store_match

TIMELINE = ("timeline_sequence", "last_position")


def url(fixture: Fixture, query: str = "") -> str:
    return f"/api/fixtures/{fixture.id}/actions/?{query}"


def expected(fixture: Fixture, *order: str, **filters: Any) -> list[dict[str, Any]]:
    actions = Action.objects.filter(fixture=fixture, **filters).order_by(*(order or TIMELINE))
    return [action.to_payload() for action in actions]


@pytest.mark.django_db
def test_json_rows_are_action_payloads_in_timeline_order_without_removed_ones(
    api: Client, stored_match: Fixture
) -> None:
    response = api.get(url(stored_match, "page_size=1000"))
    assert response.status_code == 200
    assert response.json()["results"] == expected(stored_match, removed=False)
    assert tuple(response.json()["results"][0]) == ACTION_COLUMNS


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ordering",
    ["timeline_sequence", "-timeline_sequence", "fixture_seq_num", "-fixture_seq_num"],
)
def test_cursor_pages_walk_every_row_once_in_the_asked_order(
    api: Client, stored_match: Fixture, ordering: str
) -> None:
    rows = all_pages(
        api, url(stored_match, f"include_removed=true&ordering={ordering}&page_size=37")
    )
    tiebreak = "-last_position" if ordering.startswith("-") else "last_position"
    assert rows == expected(stored_match, ordering, tiebreak)


@pytest.mark.django_db
def test_cursor_pages_cope_with_actions_that_have_no_timeline_sequence(
    api: Client, stored_match: Fixture
) -> None:
    some = Action.objects.filter(fixture=stored_match).order_by("last_position")[:30]
    Action.objects.filter(pk__in=[a.pk for a in some]).update(timeline_sequence=None)
    for ordering in ["timeline_sequence", "-timeline_sequence"]:
        rows = all_pages(
            api, url(stored_match, f"include_removed=true&ordering={ordering}&page_size=7")
        )
        tiebreak = "-last_position" if ordering.startswith("-") else "last_position"
        assert rows == expected(stored_match, ordering, tiebreak)


@pytest.mark.django_db
def test_a_page_of_a_growing_list_continues_after_its_last_row(
    api: Client, stored_match: Fixture
) -> None:
    first = api.get(url(stored_match, "page_size=10&ordering=fixture_seq_num")).json()
    earliest = Action.objects.filter(fixture=stored_match).order_by("fixture_seq_num").first()
    assert earliest is not None
    Action.objects.filter(pk=earliest.pk).update(fixture_seq_num=-1)  # sorts before the cursor
    second = api.get(first["next"]).json()["results"]
    before = {row["action_id"] for row in first["results"]}
    assert not before & {row["action_id"] for row in second}
    assert second[0]["fixture_seq_num"] > first["results"][-1]["fixture_seq_num"]


@pytest.mark.django_db
def test_filters_by_type_period_team_send_type_and_removal(
    api: Client, stored_match: Fixture
) -> None:
    def listed(query: str) -> list[dict[str, Any]]:
        response = api.get(url(stored_match, f"page_size=1000&{query}"))
        assert response.status_code == 200, response.content
        assert response.json()["next"] is None
        rows: list[dict[str, Any]] = response.json()["results"]
        return rows

    goals = expected(stored_match, type_id=100, removed=False)
    assert goals and listed("type=100") == goals
    assert listed("type=goal") == goals
    assert listed("kind=goal") == goals  # the catalogue's kind, learned from the name
    ActionType.objects.filter(type_id=100).update(kind="other")  # staff say otherwise
    assert listed("kind=goal") == []
    assert api.get(url(stored_match, "kind=goals")).status_code == 400
    assert listed("period=2") == expected(stored_match, period=2, removed=False)
    assert listed("team=home") == expected(stored_match, team_is_home=True, removed=False)
    assert listed("team=away") == expected(stored_match, team_is_home=False, removed=False)
    assert listed("send_type=Pending") == expected(stored_match, send_type="Pending", removed=False)
    removed = expected(stored_match, removed=True)
    assert removed and listed("include_removed=true") == expected(stored_match)
    assert listed("include_removed=true&send_type=Deleted") == expected(
        stored_match, send_type="Deleted"
    )


@pytest.mark.django_db
def test_after_position_and_changed_since_give_what_changed_later(
    api: Client, stored_match: Fixture
) -> None:
    middle = stored_match.packet_count // 2
    changed = listed_rows(api, stored_match, f"include_removed=true&after_position={middle}")
    assert changed == expected(stored_match, last_position__gt=middle)
    assert listed_rows(api, stored_match, f"after_position={stored_match.last_position}") == []

    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for packet in Packet.objects.filter(fixture=stored_match):
        packet.received_at = start + dt.timedelta(seconds=packet.position)
        packet.save(update_fields=["received_at"])
    since = (start + dt.timedelta(seconds=middle)).isoformat().replace("+00:00", "Z")
    assert listed_rows(api, stored_match, f"include_removed=true&changed_since={since}") == (
        expected(stored_match, last_position__gte=middle)
    )


def listed_rows(api: Client, fixture: Fixture, query: str) -> list[dict[str, Any]]:
    response = api.get(url(fixture, f"page_size=1000&{query}"))
    assert response.status_code == 200, response.content
    rows: list[dict[str, Any]] = response.json()["results"]
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("type=", None),
        ("type=-1", "type"),
        ("type=99999999999999999999", "type"),
        ("period=-1", "period"),
        ("period=1.5", "period"),
        ("period=99999999999999999999", "period"),
        ("team=left", "team"),
        ("send_type=Sent", "send_type"),
        ("include_removed=yes", "include_removed"),
        ("after_position=-1", "after_position"),
        ("after_position=2147483648", "after_position"),
        ("after_position=ten", "after_position"),
        ("changed_since=yesterday", "changed_since"),
        ("changed_since=2025-02-30T00:00:00Z", "changed_since"),
        ("changed_since=0126-10-20T00:00:00.5%2B23:59", None),
        ("changed_since=0001-01-01T00:00:00%2B05:00", None),
        ("changed_since=9999-12-31T23:59:59-05:00", None),
        ("ordering=clock_time", "ordering"),
        ("period=", "period"),
        ("send_type=", "send_type"),
        ("cursor=eyJ4IjoxfQ", "cursor"),
        ("format=xlsx", "format"),
        ("format=", "format"),
        ("page_size=abc", "page_size"),
        ("page_size=%C2%B2", "page_size"),
        ("type=%C2%B2", None),
    ],
)
def test_a_bad_action_parameter_gets_a_400_naming_it(
    api: Client, make_fixture: Callable[..., Fixture], query: str, parameter: str | None
) -> None:
    # Parameters are checked before any row is read: a fixture without actions will do.
    response = api.get(url(make_fixture(), query))
    if parameter is None:  # odd but valid
        assert response.status_code == 200
        return
    assert response.status_code == 400, response.content
    assert parameter in response.json()


@pytest.mark.django_db
def test_a_cursor_from_another_ordering_is_refused(api: Client, stored_match: Fixture) -> None:
    cursor = api.get(url(stored_match, "page_size=5")).json()["next"].split("cursor=")[1]
    cursor = cursor.split("&")[0]
    response = api.get(url(stored_match, f"ordering=fixture_seq_num&cursor={cursor}"))
    assert response.status_code == 400
    assert "cursor" in response.json()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "query", ["", "include_removed=true&ordering=-fixture_seq_num", "team=away&period=1"]
)
def test_csv_and_ndjson_parse_back_to_the_same_rows_as_json(api: Client, query: str) -> None:
    fixture = store_match(match_number(3))
    rows = all_pages(api, url(fixture, f"page_size=100&{query}"))
    assert len(rows) > 10

    as_ndjson = api.get(url(fixture, f"format=ndjson&{query}"))
    assert as_ndjson.status_code == 200
    assert as_ndjson["Content-Type"] == "application/x-ndjson"
    assert ndjson_rows(as_ndjson) == rows

    as_csv = api.get(url(fixture, f"format=csv&{query}"))
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert as_csv["Content-Disposition"] == f'attachment; filename="actions-{fixture.id}.csv"'
    assert csv_rows(as_csv) == rows


@pytest.mark.django_db(transaction=True)
def test_an_export_with_no_rows_is_a_header_or_nothing(api: Client, make_fixture: Any) -> None:
    fixture = make_fixture()
    csv_body = api.get(url(fixture, "format=csv"))
    assert csv_rows(csv_body) == []
    assert ndjson_rows(api.get(url(fixture, "format=ndjson"))) == []


@pytest.mark.django_db(transaction=True)
def test_texts_with_quotes_commas_newlines_and_unicode_survive_csv_and_ndjson(
    api: Client, stored_match: Fixture
) -> None:
    awkward = 'Zoë "the, wall"\nO\'Neil\r\n ü'
    Action.objects.filter(fixture=stored_match).update(
        player_name=awkward, metadata={"note": awkward, "n": 12345678901234567890}
    )
    rows = all_pages(api, url(stored_match, "page_size=1000"))
    assert rows[0]["player_name"] == awkward
    assert ndjson_rows(api.get(url(stored_match, "format=ndjson"))) == rows
    assert csv_rows(api.get(url(stored_match, "format=csv"))) == rows
