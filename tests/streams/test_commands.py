"""Management commands: listen, import_fixtures, preflight, ensure_staff."""

from __future__ import annotations

import datetime as dt
import uuid
from io import StringIO
from typing import Any

import httpx
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from streams.dde import rest
from streams.feed import importing
from streams.models import Fixture, Packet
from streams.simulator import Schedule
from tests.conftest import StartFeed

pytestmark = pytest.mark.django_db(transaction=True)


def test_listen_imports_an_unknown_fixture_and_stores_the_whole_match(
    start_feed: StartFeed,
) -> None:
    feed = start_feed()
    fixture_id = uuid.uuid4()
    out = StringIO()
    call_command("listen", str(fixture_id), "--speed", "fast", stdout=out)
    fixture = Fixture.objects.get(pk=fixture_id)
    assert fixture.finished
    assert Packet.objects.filter(fixture=fixture).count() == len(feed.actions(fixture_id))
    assert "finished" in out.getvalue()


def test_import_fixtures_creates_the_scheduled_fixtures(start_feed: StartFeed) -> None:
    schedule = Schedule()
    kickoff = timezone.now().replace(microsecond=0) + dt.timedelta(hours=2)
    ids = [uuid.uuid4(), uuid.uuid4()]
    for fixture_id in ids:
        schedule.add(fixture_id, kickoff=kickoff)
    start_feed(schedule=schedule)
    call_command("import_fixtures", stdout=StringIO())
    fixtures = Fixture.objects.filter(pk__in=ids)
    assert fixtures.count() == 2
    for fixture in fixtures:
        assert fixture.kickoff == kickoff
        assert fixture.listen_from < kickoff < fixture.listen_until
        assert fixture.home_team and fixture.away_team


def test_import_fixtures_reads_every_page_of_the_list(
    start_feed: StartFeed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rest, "PAGE_SIZE", 2)
    schedule = Schedule()
    kickoff = timezone.now().replace(microsecond=0) + dt.timedelta(hours=2)
    ids = [uuid.uuid4() for _ in range(5)]
    for fixture_id in ids:
        schedule.add(fixture_id, kickoff=kickoff)
    start_feed(schedule=schedule)
    out = StringIO()
    call_command("import_fixtures", stdout=out)
    assert Fixture.objects.filter(pk__in=ids).count() == 5
    assert "5 fixtures imported." in out.getvalue()


def test_an_unusable_fixture_object_is_skipped_and_named_and_the_others_are_imported() -> None:
    good = uuid.uuid4()
    listed = [
        {"id": "not-a-uuid", "name": "Broken v Record", "startDateUTC": "2030-01-01T15:00:00"},
        {"id": str(good), "name": "Home v Away", "startDateUTC": "2030-01-01T15:00:00"},
        {"id": str(uuid.uuid4()), "name": "No v Kickoff"},
    ]
    client = rest.DdeApi(
        "http://dde.test",
        "token",
        transport=httpx.MockTransport(lambda _: httpx.Response(200, json=listed)),
    )
    result = importing.import_fixtures(client)
    assert [fixture.id for fixture in result.fixtures] == [good]
    assert len(result.skipped) == 2
    assert "not-a-uuid" in result.skipped[0]
    assert "startDateUTC" in result.skipped[1]


def test_import_fixtures_with_a_bad_token_fails_with_a_clear_message(
    start_feed: StartFeed, settings: Any
) -> None:
    start_feed()
    settings.DDE_AUTH_TOKEN = "wrong-token"
    with pytest.raises(CommandError) as error:
        call_command("import_fixtures", stdout=StringIO())
    assert "401" in str(error.value)
    assert "wrong-token" not in str(error.value)


def test_preflight_names_the_unreachable_service_in_one_sentence(settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with pytest.raises(CommandError) as error:
        call_command("preflight")
    message = str(error.value)
    assert message.startswith("Redis is not reachable at redis://127.0.0.1:1/0")
    assert "docker compose" in message


def test_ensure_staff_prints_a_generated_password_that_logs_in() -> None:
    first, second = StringIO(), StringIO()
    call_command("ensure_staff", stdout=first)
    call_command("ensure_staff", stdout=second)
    passwords = [out.getvalue().split(" / ")[1].strip() for out in (first, second)]
    assert passwords[0] != passwords[1]
    user = authenticate(username="admin", password=passwords[1])
    assert user is not None and user.is_staff
