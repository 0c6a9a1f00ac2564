"""Importing a hostile fixture list: each bad fixture skipped with a clear line, the rest
imported; names clean and clipped; nothing a vendor sends makes an import answer 500."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from io import StringIO
from typing import Any

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from streams import admin as streams_admin
from streams.dde.bounds import FIXTURE_NAME_CHARS, NAME_CHARS, is_clean
from streams.dde.rest import DdeApi
from streams.feed import importing
from streams.models import Fixture
from streams.simulator import MatchVariant, Schedule
from tests.conftest import StartFeed

pytestmark = pytest.mark.django_db
LONG = "<script>alert(1)</script>" + "W" * 200_000


def vendor_fixture(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.UUID(int=number + 1, version=4)),
        "name": f"Home {number} v Away {number}",
        "startDateUTC": "2025-05-01T15:00:00",
        **fields,
    }


HOSTILE_LIST = [
    vendor_fixture(0),
    vendor_fixture(1, name="Nul\x00 Town v Bidi\u202e Rovers"),
    vendor_fixture(2, teams=[{"name": LONG}, {"name": "=cmd|' /C calc'!A0\x00"}]),
    vendor_fixture(3, id="not-a-uuid"),
    vendor_fixture(4, startDateUTC="0001-01-01T00:05:00"),  # its listen window is no date
    vendor_fixture(5, name=f"{LONG} v {LONG}", status="\u2066Live\u2069"),
    vendor_fixture(6),
]


def vendor(listed: list[dict[str, Any]]) -> DdeApi:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/fixtures"):
            return httpx.Response(200, json=listed)
        wanted = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, json=next(f for f in listed if f["id"] == wanted))

    return DdeApi("http://dde.test", "t0ken", transport=httpx.MockTransport(handler))


@pytest.fixture
def hostile_vendor(monkeypatch: pytest.MonkeyPatch) -> Iterator[DdeApi]:
    api = vendor(HOSTILE_LIST)
    monkeypatch.setattr(importing, "api", lambda: api)
    yield api


def assert_clean(fixture: Fixture) -> None:
    assert is_clean(fixture.name, FIXTURE_NAME_CHARS)
    assert is_clean(fixture.home_team, NAME_CHARS) and is_clean(fixture.away_team, NAME_CHARS)


def test_each_bad_fixture_is_skipped_with_a_line_and_the_rest_imported(
    hostile_vendor: DdeApi,
) -> None:
    result = importing.import_fixtures()
    imported = {str(f.id) for f in result.fixtures}
    expected = {HOSTILE_LIST[n]["id"] for n in (0, 1, 2, 5, 6)}
    assert imported == expected  # the last one too: nothing stopped the import
    assert result.skipped == [
        "fixture id is not a UUID: 'not-a-uuid'",
        f"fixture {HOSTILE_LIST[4]['id']} not saved: OverflowError: date value out of range",
    ]
    for fixture in Fixture.objects.all():
        assert_clean(fixture)
    assert Fixture.objects.get(pk=HOSTILE_LIST[1]["id"]).name == "Nul Town v Bidi Rovers"
    long_named = Fixture.objects.get(pk=HOSTILE_LIST[5]["id"])
    assert len(long_named.name) == FIXTURE_NAME_CHARS and long_named.status == "Live"
    assert long_named.home_team.startswith("<script>alert(1)</script>WWW")


def test_a_fixture_the_database_refuses_is_skipped_and_the_import_goes_on(
    hostile_vendor: DdeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    save = importing.save_fixture

    def refuse_one(info: Any) -> Any:
        if info.id == HOSTILE_LIST[1]["id"]:  # an error that aborts Postgres's transaction
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")
        return save(info)

    monkeypatch.setattr(importing, "save_fixture", refuse_one)
    result = importing.import_fixtures()
    assert HOSTILE_LIST[6]["id"] in {str(f.id) for f in result.fixtures}
    (refused,) = [line for line in result.skipped if HOSTILE_LIST[1]["id"] in line]
    assert refused.startswith(f"fixture {HOSTILE_LIST[1]['id']} not saved: DataError: division")
    assert not Fixture.objects.filter(pk=HOSTILE_LIST[1]["id"]).exists()
    assert Fixture.objects.filter(pk=HOSTILE_LIST[6]["id"]).exists()  # the savepoint held


def test_the_admin_import_names_what_it_skipped_and_never_answers_500(
    hostile_vendor: DdeApi, admin_client: Client
) -> None:
    response = admin_client.post(reverse("admin:streams_fixture_import"), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Imported 5 fixture(s) from the DDE API." in page
    assert "Skipped: fixture id is not a UUID" in page and "OverflowError" in page
    assert "<script>alert(1)" not in page  # escaped, if shown at all


def test_the_admin_shows_a_few_skipped_lines_and_counts_the_rest(
    monkeypatch: pytest.MonkeyPatch, admin_client: Client
) -> None:
    api = vendor([vendor_fixture(n, id=f"bad-{n}") for n in range(25)] + [vendor_fixture(99)])
    monkeypatch.setattr(importing, "api", lambda: api)
    response = admin_client.post(reverse("admin:streams_fixture_import"), follow=True)
    page = response.content.decode()
    assert "Imported 1 fixture(s)" in page
    assert page.count("Skipped: fixture id is not a UUID") == streams_admin.SKIPPED_SHOWN
    assert f"Skipped {25 - streams_admin.SKIPPED_SHOWN} more (see the log)." in page


def test_the_import_command_prints_every_fixture_and_every_skip(hostile_vendor: DdeApi) -> None:
    out, err = StringIO(), StringIO()
    call_command("import_fixtures", stdout=out, stderr=err)
    assert out.getvalue().strip().endswith("5 fixtures imported, 2 skipped.")
    assert err.getvalue().count("Skipped: ") == 2
    assert "\x00" not in out.getvalue() and "\u202e" not in out.getvalue()


def test_listen_reports_a_fixture_it_cannot_import_in_one_sentence(
    hostile_vendor: DdeApi,
) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("listen", HOSTILE_LIST[4]["id"])
    assert str(refused.value) == (
        f"Fixture {HOSTILE_LIST[4]['id']} could not be imported: fixture "
        f"{HOSTILE_LIST[4]['id']} not saved: OverflowError: date value out of range"
    )


def test_every_fixture_of_the_hostile_simulator_is_imported(
    start_feed: StartFeed, admin_client: Client
) -> None:
    schedule = Schedule(MatchVariant(hostile=True))
    ids = [uuid.uuid4() for _ in range(5)]
    for number, fixture_id in enumerate(ids):
        schedule.add(fixture_id, kickoff=timezone.now() + dt.timedelta(hours=number))
    start_feed(schedule=schedule)
    result = importing.import_fixtures()
    assert {f.id for f in result.fixtures} == set(ids) and result.skipped == []
    for fixture in result.fixtures:
        fixture.refresh_from_db()
        assert_clean(fixture)
        assert "<script>" in fixture.name and len(fixture.home_team) == NAME_CHARS
        assert fixture.away_team.startswith("=HYPERLINK(")
    response = admin_client.post(reverse("admin:streams_fixture_import"), follow=True)
    assert "Imported 5 fixture(s) from the DDE API." in response.content.decode()
