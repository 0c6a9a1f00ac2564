"""The listener against the real simulator on a loopback port, storing into real Postgres."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone

from streams.conninfo import database_conninfo
from streams.dde.messages import DataPacket, parse_frame
from streams.feed import dispatch
from streams.feed.listener import Outcome, follow
from streams.feed.locks import ProcessLocks, is_followed
from streams.feed.writer import store_packets
from streams.models import Action, Fixture, ListenerState, Packet, RejectedFrame
from streams.simulator import Schedule
from tests.conftest import StartFeed
from tests.support.packet_log import assert_log_equals_feed
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(fn: Callable[[], Outcome]) -> Any:
    return ThreadPoolExecutor(1).submit(fn)


def test_a_whole_match_replayed_fast_is_stored_exactly_as_the_actions_endpoint_lists_it(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    feed = start_feed()
    fixture = make_fixture()
    assert follow(fixture.id, speed="fast") is Outcome.FINISHED
    packets = assert_log_equals_feed(fixture.id, feed)
    assert 700 <= len(packets) <= 1200
    fixture.refresh_from_db()
    assert fixture.finished
    assert fixture.listener_state == ListenerState.FINISHED
    assert fixture.last_position == len(packets) - 1
    last_summary = packets[-1]["fixtureSummary"]
    assert (fixture.home_score, fixture.away_score) == (
        last_summary["homeTeamScore"],
        last_summary["awayTeamScore"],
    )
    assert Action.objects.filter(fixture=fixture).count() == len(
        {p["fixtureAction"]["actionId"] for p in packets}
    )


def test_every_action_ends_in_the_state_of_its_newest_packet(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    feed = start_feed()
    fixture = make_fixture()
    follow(fixture.id, speed="fast")
    newest: dict[str, dict[str, Any]] = {}
    for packet in feed.actions(fixture.id):
        newest[packet["fixtureAction"]["actionId"]] = packet["fixtureAction"]
    for row in Action.objects.filter(fixture=fixture):
        sent = newest[str(row.action_id)]
        assert row.send_type == sent["sendType"]
        assert row.fixture_seq_num == sent["fixtureSeqNum"]
        assert row.type_id == sent.get("fixtureActionTypeId")
        assert row.removed == (sent["sendType"] in ("Cancelled", "Deleted"))


def test_a_connection_dropped_every_50_packets_still_gives_an_identical_log(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    feed = start_feed(faults="drop=50")
    fixture = make_fixture()
    assert follow(fixture.id, speed="fast") is Outcome.FINISHED
    packets = assert_log_equals_feed(fixture.id, feed)
    fixture.refresh_from_db()
    assert fixture.reconnects >= len(packets) // 50 - 1


def test_repeated_packets_and_malformed_frames_do_not_stop_the_listener(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    feed = start_feed(faults="repeat=40,malformed=60")
    fixture = make_fixture()
    assert follow(fixture.id, speed="fast") is Outcome.FINISHED
    packets = assert_log_equals_feed(fixture.id, feed)
    rejected = RejectedFrame.objects.filter(fixture=fixture)
    assert rejected.count() >= len(packets) // 60 - 1
    assert all(frame.reason for frame in rejected)


def test_a_rejected_token_gives_a_clear_status_and_no_retry_storm(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture], settings: Any
) -> None:
    feed = start_feed()
    settings.DDE_AUTH_TOKEN = "not-the-token"
    settings.LISTENER_AUTH_RETRY_SECONDS = 60
    fixture = make_fixture()
    running = in_thread(lambda: follow(fixture.id))

    def rejected() -> bool:
        fixture.refresh_from_db()
        return fixture.listener_state == ListenerState.AUTH_REJECTED

    wait_for(rejected, timeout=10)
    # The quiet time is what this checks: no second connection for three seconds.
    time.sleep(3)
    assert feed.stats.connections == 1
    assert "rejected the token" in fixture.listener_error
    assert "not-the-token" not in fixture.listener_error
    dispatch.request_stop(fixture.id)
    assert running.result(timeout=10) is Outcome.STOPPED
    assert not Packet.objects.filter(fixture=fixture).exists()


def test_a_token_rejected_for_a_while_is_retried_later_and_nothing_is_lost(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture], settings: Any
) -> None:
    feed = start_feed(faults="reject_token=1")
    settings.LISTENER_AUTH_RETRY_SECONDS = 1.5
    fixture = make_fixture()
    assert follow(fixture.id, speed="fast") is Outcome.FINISHED
    assert_log_equals_feed(fixture.id, feed)
    assert feed.stats.connections <= 3


def test_two_listeners_for_one_fixture_store_each_packet_once(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    feed = start_feed()
    fixture = make_fixture()
    # Two lock holders stand for two worker processes.
    holders = [ProcessLocks(database_conninfo()), ProcessLocks(database_conninfo())]
    barrier = threading.Barrier(2)

    def listen(locks: ProcessLocks) -> Outcome:
        barrier.wait()
        return follow(fixture.id, speed="fast", locks=locks)

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(o.value for o in pool.map(listen, holders))
    for holder in holders:
        holder.close()
    assert outcomes == [Outcome.ALREADY_FOLLOWED.value, Outcome.FINISHED.value]
    assert_log_equals_feed(fixture.id, feed)


def test_a_stop_request_ends_a_live_listener_and_frees_the_fixture(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    fixture_id = uuid.uuid4()
    schedule = Schedule()
    schedule.add(fixture_id, kickoff=timezone.now() - dt.timedelta(seconds=30))
    start_feed(schedule=schedule, pace=5)
    fixture = make_fixture(fixture_id)
    running = in_thread(lambda: follow(fixture.id))
    wait_for(lambda: Packet.objects.filter(fixture=fixture).count() > 5)
    dispatch.request_stop(fixture.id)
    assert running.result(timeout=10) is Outcome.STOPPED
    fixture.refresh_from_db()
    assert fixture.listener_state == ListenerState.STOPPED
    assert not fixture.finished
    assert not is_followed(fixture.id)


@pytest.mark.slow  # a live match, played in real time at 400x
def test_a_live_match_resumes_after_a_restart_with_nothing_lost(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    fixture_id = uuid.uuid4()
    schedule = Schedule()
    schedule.add(fixture_id, kickoff=timezone.now() + dt.timedelta(seconds=1))
    feed = start_feed(schedule=schedule, pace=400)
    fixture = make_fixture(fixture_id)
    first = in_thread(lambda: follow(fixture.id))
    wait_for(lambda: Packet.objects.filter(fixture=fixture).count() > 100)
    dispatch.request_stop(fixture.id)
    assert first.result(timeout=10) is Outcome.STOPPED
    Fixture.objects.filter(pk=fixture.id).update(stop_requested=False)
    assert follow(fixture.id) is Outcome.FINISHED
    assert_log_equals_feed(fixture.id, feed)


@pytest.mark.slow  # a whole match stored one packet per transaction
def test_the_fixture_score_always_equals_the_latest_summary(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    feed = start_feed()
    fixture = make_fixture()
    for payload in feed.actions(fixture.id):
        packet = parse_frame(json.dumps(payload))
        assert isinstance(packet, DataPacket)
        store_packets(fixture.id, [packet])
        fixture.refresh_from_db()
        summary = payload["fixtureSummary"]
        assert (fixture.home_score, fixture.away_score) == (
            summary["homeTeamScore"],
            summary["awayTeamScore"],
        )
        assert fixture.status == summary["currentStatus"]


def test_a_listener_taken_over_by_a_newer_one_stops_even_while_the_feed_is_quiet(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    fixture_id = uuid.uuid4()
    schedule = Schedule()
    # Kick-off in an hour: not a packet for a long while, only heartbeats.
    schedule.add(fixture_id, kickoff=timezone.now() + dt.timedelta(hours=1))
    feed = start_feed(schedule=schedule, pace=1)
    fixture = make_fixture(fixture_id)
    running = in_thread(lambda: follow(fixture.id))
    wait_for(lambda: feed.stats.auth_ok == 1)
    Fixture.objects.filter(pk=fixture.id).update(listener_state=ListenerState.LISTENING)
    # What a new listener does on taking the fixture, say after a Postgres restart took
    # this one's lock with its connection.
    Fixture.objects.filter(pk=fixture.id).update(listener_epoch=F("listener_epoch") + 1)
    assert running.result(timeout=10) is Outcome.LEASE_LOST
    wait_for(lambda: feed.stats.open_connections == 0, timeout=5)
    fixture.refresh_from_db()
    assert fixture.listener_state == ListenerState.LISTENING  # the new one's, left alone
