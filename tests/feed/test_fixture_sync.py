"""The fixture sync against the simulator's fixtures API, served on a free port."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from django.utils import timezone

from streams.feed import sync
from streams.feed.importing import save_fixture
from streams.models import Fixture, FixtureStatus, Packet
from streams.simulator import Schedule
from streams.tasks import sync_fixtures as sync_task
from tests.conftest import ACCEPT, TOKEN, StartFeed, store_match

pytestmark = pytest.mark.django_db(transaction=True)


def in_hours(hours: float) -> dt.datetime:
    return (timezone.now() + dt.timedelta(hours=hours)).replace(microsecond=0)


def test_new_moved_postponed_and_removed_fixtures_arrive_within_one_sync(
    start_feed: StartFeed,
) -> None:
    schedule = Schedule()
    moved, postponed, removed, kept = (uuid.uuid4() for _ in range(4))
    for number, fixture_id in enumerate((moved, postponed, removed, kept)):
        schedule.add(fixture_id, kickoff=in_hours(2 + number))
    start_feed(schedule=schedule)
    assert sync.sync_fixtures("near").saved == 4
    assert Fixture.objects.count() == 4
    Packet.objects.create(
        fixture_id=removed, position=0, action_id=1, payload={}, received_at=timezone.now()
    )

    new = uuid.uuid4()
    schedule.add(new, kickoff=in_hours(5), home="Newcomers", away="Old Boys")
    new_kickoff = in_hours(7)
    schedule.move(moved, new_kickoff)
    schedule.postpone(postponed)
    schedule.remove(removed)
    kept_kickoff = Fixture.objects.get(pk=kept).kickoff
    schedule.add(kept, kickoff=kept_kickoff, home="Renamed Rovers", away="Steady Town")
    sync_task("near")  # the beat task itself

    added = Fixture.objects.get(pk=new)
    assert (added.home_team, added.away_team) == ("Newcomers", "Old Boys")
    assert added.name == "Newcomers v Old Boys"
    assert added.coverage_level and added.home_team_id
    assert added.listen_from == added.kickoff - dt.timedelta(minutes=30)
    assert added.listen_until == added.kickoff + dt.timedelta(hours=3)
    shifted = Fixture.objects.get(pk=moved)
    assert shifted.kickoff == new_kickoff
    assert shifted.listen_from == shifted.kickoff - dt.timedelta(minutes=30)
    assert Fixture.objects.get(pk=postponed).status == FixtureStatus.POSTPONED
    gone = Fixture.objects.get(pk=removed)
    assert gone.vendor_deleted
    assert Packet.objects.filter(fixture=gone).count() == 1  # marked, never deleted
    renamed = Fixture.objects.get(pk=kept)
    assert not renamed.vendor_deleted
    assert (renamed.home_team, renamed.away_team) == ("Renamed Rovers", "Steady Town")
    assert Fixture.objects.filter(synced_at__isnull=False).count() == 5


def test_a_deleted_fixture_gets_no_listener_and_comes_back_when_listed_again(
    start_feed: StartFeed,
) -> None:
    schedule = Schedule()
    fixture_id = uuid.uuid4()
    schedule.add(fixture_id, kickoff=timezone.now() + dt.timedelta(minutes=10))
    start_feed(schedule=schedule)
    schedule.remove(fixture_id)
    sync.sync_fixtures("near")
    assert not Fixture.objects.due(timezone.now()).filter(pk=fixture_id).exists()
    schedule.add(fixture_id, kickoff=timezone.now() + dt.timedelta(minutes=10))
    sync.sync_fixtures("near")
    assert Fixture.objects.due(timezone.now()).filter(pk=fixture_id).exists()


def test_the_sync_reads_every_page_with_the_paged_header(
    start_feed: StartFeed, settings: Any
) -> None:
    settings.FIXTURE_SYNC_PAGE_SIZE = 2
    schedule = Schedule()
    for hours in range(5):
        schedule.add(uuid.uuid4(), kickoff=in_hours(1 + hours))
    feed = start_feed(schedule=schedule)
    before = feed.stats.rest_requests
    assert sync.sync_fixtures("near").saved == 5
    assert feed.stats.rest_requests - before == 3  # pages of 2, 2 and 1
    assert Fixture.objects.count() == 5


def test_near_and_far_syncs_ask_for_their_own_days(start_feed: StartFeed) -> None:
    schedule = Schedule()
    soon, later = uuid.uuid4(), uuid.uuid4()
    schedule.add(soon, kickoff=in_hours(1))
    schedule.add(later, kickoff=in_hours(24 * 5))
    start_feed(schedule=schedule)
    sync.sync_fixtures("near")
    assert set(Fixture.objects.values_list("id", flat=True)) == {soon}
    sync.sync_fixtures("far")
    assert set(Fixture.objects.values_list("id", flat=True)) == {soon, later}


def test_the_beat_schedule_syncs_every_minute_near_and_hourly_far(settings: Any) -> None:
    beat = settings.CELERY_BEAT_SCHEDULE
    assert beat["sync-fixtures-near"]["schedule"] == 60.0
    assert beat["sync-fixtures-near"]["args"] == ("near",)
    assert beat["sync-fixtures-far"]["schedule"] == 3600.0
    assert beat["sync-fixtures-far"]["args"] == ("far",)


def test_a_cancelled_match_overrides_the_feeds_status_but_a_scheduled_listing_does_not(
    start_feed: StartFeed,
) -> None:
    from streams.simulator.match import generate_match

    match = generate_match(uuid.uuid4(), timezone.now() - dt.timedelta(minutes=10), 1.0)
    fixture = store_match(match)
    fixture.status = "Live"
    fixture.save(update_fields=["status"])
    schedule = Schedule()
    schedule.add(fixture.id, kickoff=in_hours(1))
    start_feed(schedule=schedule)
    sync.sync_fixtures("near")
    fixture.refresh_from_db()
    assert fixture.status == "Live"  # the feed's own summary wins once packets are stored
    schedule.postpone(fixture.id, "Abandoned")
    sync.sync_fixtures("near")
    fixture.refresh_from_db()
    assert fixture.status == "Abandoned"


def test_save_fixture_still_writes_only_its_own_columns() -> None:
    from streams.dde.rest import FixtureInfo

    info = FixtureInfo(
        id=str(uuid.uuid4()),
        name="A v B",
        home_team="A",
        away_team="B",
        home_team_id=None,
        away_team_id=None,
        kickoff=in_hours(1),
        status="Scheduled",
        collection_status=None,
    )
    fixture, created = save_fixture(info)
    assert created
    Fixture.objects.filter(pk=fixture.pk).update(home_score=3, last_position=10)
    save_fixture(info)
    fixture.refresh_from_db()
    assert (fixture.home_score, fixture.last_position) == (3, 10)


def test_the_simulators_list_pages_as_documented_with_the_paged_header(
    start_feed: StartFeed,
) -> None:
    schedule = Schedule()
    ids = [uuid.uuid4() for _ in range(3)]
    for hours, fixture_id in enumerate(ids):
        schedule.add(fixture_id, kickoff=in_hours(1 + hours))
    schedule.remove(ids[2])
    feed = start_feed(schedule=schedule)
    headers = {"Accept": ACCEPT, "Authorization": f"Bearer {TOKEN}"}
    url = f"{feed.http_url}/soccer/fixtures"
    plain = httpx.get(url, headers=headers).json()
    assert isinstance(plain, list) and len(plain) == 2  # no header: the bare array, as before
    paged = httpx.get(url, headers={**headers, "paged": "true"}, params={"size": 1}).json()
    assert paged["totalPages"] == 2 and paged["totalElements"] == 2
    assert paged["pageable"]["pageNumber"] == 0 and not paged["last"]
    assert [item["id"] for item in paged["content"]] == [str(ids[0])]
    deleted_too = httpx.get(url, headers=headers, params={"includeDeleted": "true"}).json()
    assert [item["fixtureDeleted"] for item in deleted_too] == [False, False, True]


def test_the_client_sends_the_documented_filters_and_the_paged_header() -> None:
    from streams.dde.rest import DdeApi

    seen: list[httpx.Request] = []
    calls: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        page = int(request.url.params["page"])
        return httpx.Response(200, json={"content": [], "number": page, "last": True})

    client = DdeApi(
        "http://vendor.invalid",
        "token",
        transport=httpx.MockTransport(answer),
        before_request=lambda: calls.append(1),
    )
    listed = client.fixtures_between(
        dt.date(2026, 1, 2),
        dt.date(2026, 1, 3),
        live=True,
        status="postponed",
        include_deleted=True,
        page_size=7,
    )
    assert list(listed) == []
    (request,) = seen
    assert request.headers["paged"] == "true"
    assert dict(request.url.params) == {
        "dateFrom": "2026-01-02",
        "dateTo": "2026-01-03",
        "live": "true",
        "status": "postponed",
        "includeDeleted": "true",
        "size": "7",
        "page": "0",
    }
    assert calls == [1]  # the rate limit was asked first
