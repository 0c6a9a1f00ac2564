"""/api/corrections/ and the staff page: corrections across fixtures, from generated matches."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections import Counter
from typing import Any

import pytest
from django.test import Client

from streams.models import Action, ApiToken, Fixture, Packet
from streams.reconcile.corrections import KINDS
from streams.simulator import generate_match
from tests.conftest import store_match

pytestmark = pytest.mark.django_db

KICKOFF = dt.datetime(2025, 3, 1, 15, 0, tzinfo=dt.UTC)
DAY = "from=2025-03-01&to=2025-03-01"


@pytest.fixture
def api() -> Client:
    _, key = ApiToken.issue("corrections tests")
    return Client(headers={"Authorization": f"Token {key}"})


@pytest.fixture
def matches() -> list[Fixture]:
    # Six generated matches hold every kind between them (disallowed goals, overturned
    # penalties, card upgrades, a player put right, a deleted goal restored).
    return [store_match(generate_match(uuid.UUID(int=n), KICKOFF)) for n in range(1, 7)]


def get(api: Client, query: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/corrections/?{query}")
    assert response.status_code == 200, response.content
    rows: list[dict[str, Any]] = response.json()
    return rows


def packets_sent_as(send_type: str) -> Counter[str]:
    rows = Packet.objects.filter(payload__fixtureAction__sendType=send_type)
    return Counter(str(f) for f in rows.values_list("fixture_id", flat=True))


def test_every_kind_is_found_and_agrees_with_the_log(api: Client, matches: list[Fixture]) -> None:
    rows = get(api, DAY)
    kinds = Counter(row["kind"] for row in rows)
    assert set(kinds) == set(KINDS)
    # Cancelled and Deleted versions are counted straight from the stored packets.
    for kind, send_type in (("cancelled", "Cancelled"), ("deleted", "Deleted")):
        found = Counter(row["fixture_id"] for row in rows if row["kind"] == kind)
        assert found == packets_sent_as(send_type)
    # Every action that ended restored was found restored.
    restored = {
        str(a) for a in Action.objects.filter(restored=True).values_list("action_id", flat=True)
    }
    assert restored <= {row["action_id"] for row in rows if row["kind"] == "restored"}
    upgrades = [r for r in rows if r["kind"] == "type_changed"]
    assert ("Yellow Card", "Red Card") in {(r["type_before"], r["type_after"]) for r in upgrades}
    changed = [r for r in rows if r["kind"] == "player_changed"]
    assert all(r["player_before"] and r["player_after"] != r["player_before"] for r in changed)


def test_times_run_from_the_first_report(api: Client, matches: list[Fixture]) -> None:
    for row in get(api, DAY):
        first = dt.datetime.fromisoformat(row["first_reported_at"])
        corrected = dt.datetime.fromisoformat(row["corrected_at"])
        assert row["seconds_to_correction"] == pytest.approx((corrected - first).total_seconds())
        assert row["seconds_to_correction"] > 0
        assert row["position"] > row["first_position"]
        if row["kind"] == "deleted":  # only a confirmed action is deleted
            assert row["confirmed_at"] is not None
            assert 0 < row["seconds_to_confirmation"] < row["seconds_to_correction"]
        if row["kind"] == "cancelled":  # a pending one is cancelled
            assert row["confirmed_at"] is None and row["seconds_to_confirmation"] is None


def test_filters_by_kind_fixture_and_range(api: Client, matches: list[Fixture]) -> None:
    rows = get(api, DAY)
    only = get(api, f"{DAY}&kind=deleted&kind=restored")
    assert only == [r for r in rows if r["kind"] in ("deleted", "restored")]
    fixture = str(matches[0].pk)
    assert get(api, f"{DAY}&fixture={fixture}") == [r for r in rows if r["fixture_id"] == fixture]
    assert get(api, "from=2025-03-02&to=2025-03-05") == []
    assert get(api, "from=2025-03-02&to=2025-03-01") == []


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("to=2025-03-01", "from"),
        ("from=2025-03-01", "to"),
        ("from=2025-03-0&to=2025-03-01", "from"),
        (f"{DAY}&kind=red", "kind"),
        (f"{DAY}&kind=", "kind"),
        (f"{DAY}&kind=deleted,restored", "kind"),
        (f"{DAY}&fixture=nope", "fixture"),
        (f"{DAY}&fixture=", "fixture"),
        (f"{DAY}&format=xml", "format"),
        (f"{DAY}&kinds=deleted", "kinds"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api: Client, query: str, named: str) -> None:
    response = api.get(f"/api/corrections/?{query}")
    assert response.status_code == 400
    assert named in response.json()


def test_a_token_is_needed(db: None) -> None:
    assert Client().get(f"/api/corrections/?{DAY}").status_code == 401


def test_csv_has_the_json_rows_and_neutralises_formulas(
    api: Client, matches: list[Fixture]
) -> None:
    Fixture.objects.filter(pk=matches[0].pk).update(name='=HYPERLINK("http://x.invalid")')
    rows = get(api, DAY)
    response = api.get(f"/api/corrections/?{DAY}&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="corrections-2025-03-01-to-2025-03-01.csv"' in response["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(table) == len(rows)
    assert [r["action_id"] for r in table] == [r["action_id"] for r in rows]
    named = {r["fixture"] for r in table if r["fixture_id"] == str(matches[0].pk)}
    assert named == {'\'=HYPERLINK("http://x.invalid")'}


def test_the_staff_page_lists_them_and_downloads_csv(
    admin_client: Client, client: Client, matches: list[Fixture]
) -> None:
    page = admin_client.get(f"/staff/corrections/?{DAY}&kind=deleted")
    assert page.status_code == 200
    text = page.content.decode()
    deleted = sum(packets_sent_as("Deleted").values())
    assert f"{deleted} correction" in text
    assert text.count('class="kind-deleted"') == deleted
    download = admin_client.get(f"/staff/corrections/?{DAY}&format=csv")
    assert download["Content-Type"].startswith("text/csv")
    assert client.get("/staff/corrections/").status_code == 302  # to the admin login
