"""The packets export equals the vendor's REST actions array (here the simulator's)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from streams.feed.listener import Outcome, follow
from streams.models import Fixture, Packet
from tests.api.conftest import body, csv_rows, ndjson_rows
from tests.conftest import StartFeed

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_packets_export_is_element_for_element_the_vendors_actions_array(
    api: Client, start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    feed = start_feed()
    fixture = make_fixture()
    assert follow(fixture.id, speed="fast") is Outcome.FINISHED
    served = feed.actions(fixture.id)
    url = f"/api/fixtures/{fixture.id}/packets/"

    as_json = api.get(url)
    assert as_json.status_code == 200
    assert as_json["Content-Type"] == "application/json"
    exported = json.loads(body(as_json))
    assert len(exported) == len(served) > 700
    assert exported == served

    assert ndjson_rows(api.get(f"{url}?format=ndjson")) == served

    as_csv = api.get(f"{url}?format=csv")
    assert as_csv["Content-Disposition"] == f'attachment; filename="packets-{fixture.id}.csv"'
    rows = csv_rows(as_csv)
    assert [row["payload"] for row in rows] == served
    assert [row["position"] for row in rows] == list(range(len(served)))
    assert [row["action_id"] for row in rows] == [p["fixtureAction"]["actionId"] for p in served]

    after = api.get(f"{url}?after_position=99")
    assert json.loads(body(after)) == served[100:]


def test_a_fixture_with_no_packets_exports_an_empty_array(
    api: Client, make_fixture: Callable[..., Fixture]
) -> None:
    fixture = make_fixture()
    assert json.loads(body(api.get(f"/api/fixtures/{fixture.id}/packets/"))) == []
    assert body(api.get(f"/api/fixtures/{fixture.id}/packets/?format=ndjson")) == b""
    assert not Packet.objects.exists()


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("format=xml", "format"), ("after_position=-1", "after_position")],
)
def test_a_bad_packets_parameter_gets_a_400_naming_it(
    api: Client, make_fixture: Callable[..., Fixture], query: str, parameter: str
) -> None:
    response = api.get(f"/api/fixtures/{make_fixture().id}/packets/?{query}")
    assert response.status_code == 400
    assert parameter in response.json()
