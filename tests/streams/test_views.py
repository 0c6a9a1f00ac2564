"""The pages through the test client: list sections, the server-rendered timeline, staff links."""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from streams.catalogue import timeline_actions
from streams.feed.writer import store_packets
from streams.meaning.page import RECENT_ROWS
from streams.meaning.scoreline import badges, period_label
from streams.models import Action, Fixture
from streams.simulator import Match, generate_match
from tests.conftest import match_packets, store_match
from tests.support.pages import timeline_rows

pytestmark = pytest.mark.django_db

KICKOFF = dt.datetime(2025, 3, 1, 15, 0, tzinfo=dt.UTC)
NAMESPACE = uuid.UUID("6b7d2f0e-3c51-4f7e-9a55-3a1f2d8e0c42")


@functools.cache
def match_with(feature: str) -> Match:
    """The first generated match (over a few deterministic ids) that has ``feature``."""
    for number in range(200):
        match = generate_match(uuid.uuid5(NAMESPACE, f"{feature}/{number}"), KICKOFF)
        if getattr(match, feature):
            return match
    raise AssertionError(f"no generated match has {feature}")


def section_ids(html: str) -> dict[str, list[str]]:
    """Fixture ids in each section of the list page, in page order (over its days)."""
    found: dict[str, list[str]] = {}
    parts = re.split(r'data-section-list="(\w+)"', html.split('<template id="fixture-row">')[0])
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        found.setdefault(name, []).extend(re.findall(r'data-fixture-id="([0-9a-f-]+)"', body))
    return found


def test_the_list_groups_fixtures_into_live_upcoming_and_recently_finished(
    client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    now = timezone.now()
    live = make_fixture(kickoff=now - dt.timedelta(minutes=30), status="Live", home_score=2)
    suspended = make_fixture(kickoff=now - dt.timedelta(minutes=50), status="Suspended")
    soon = make_fixture(kickoff=now + dt.timedelta(minutes=10))
    later = make_fixture(kickoff=now + dt.timedelta(hours=5))
    finished = make_fixture(kickoff=now - dt.timedelta(hours=3), status="Completed", finished=True)
    earlier = make_fixture(kickoff=now - dt.timedelta(hours=6), status="Completed", finished=True)
    dropped = make_fixture(
        kickoff=now - dt.timedelta(hours=1), status="Unverified", finished=True,
        collection_status="CollectionDropped",
    )  # fmt: skip
    make_fixture(kickoff=now - dt.timedelta(days=30), status="Completed", finished=True)

    response = client.get("/")

    assert response.status_code == 200
    assert section_ids(response.content.decode()) == {
        "live": [str(suspended.id), str(live.id)],
        "upcoming": [str(soon.id), str(later.id)],
        "finished": [str(dropped.id), str(finished.id), str(earlier.id)],
    }
    html = response.content.decode()
    assert "Collection dropped" in html
    assert 'id="fixtures-data"' in html
    assert 'type="module"' in html and "streams/fixtures.js" in html


def test_an_empty_list_says_so_in_each_section(client: Client) -> None:
    html = client.get("/").content.decode()
    assert "No match is live." in html
    assert "Nothing scheduled." in html
    assert "No match finished lately." in html


def test_the_match_centre_renders_the_whole_timeline_in_order_without_javascript(
    client: Client,
) -> None:
    fixture = store_match(match_with("has_shootout"))

    response = client.get(f"/fixtures/{fixture.id}/")

    assert response.status_code == 200
    html = response.content.decode()
    actions = list(timeline_actions(fixture.id))
    assert list(timeline_rows(html)) == [str(a.action_id) for a in actions]
    takers = [a.player_name for a in actions if a.type_id == 114]  # shootout kicks
    assert takers and all(escape(name) in html for name in takers)
    assert f'data-last-position="{fixture.last_position}"' in html
    assert f"<span data-score-home>{fixture.home_score}</span>" in html
    assert "Penalties" in html  # the shootout tally in the score by period
    # The header names the shootout's winner, from the Shootout period's tally.
    shootout = next(p for p in fixture.periods if p["type"] == "Shootout")
    home, away = shootout["home_period_score"], shootout["away_period_score"]
    winner = fixture.home_team if home > away else fixture.away_team
    assert escape(f"{winner} win {max(home, away)}–{min(home, away)} on penalties") in html
    assert "<noscript>" in html
    assert 'id="actions-data"' in html and 'id="fixture-data"' in html


def test_removed_actions_are_struck_through_with_the_reason(client: Client) -> None:
    fixture = store_match(match_with("has_disallowed_goal"))

    rows = timeline_rows(client.get(f"/fixtures/{fixture.id}/").content.decode())

    disallowing = Action.objects.get(fixture=fixture, type_id=111)
    goal_id = disallowing.related_action_ids[0]
    goal = rows[goal_id]
    assert 'class="action ' in goal and " removed" in goal
    assert f"Disallowed ({disallowing.subtype_name}) after a video check" in goal
    cancelled = Action.objects.filter(fixture=fixture, send_type="Cancelled")
    assert cancelled
    for action in cancelled:
        assert " removed" in rows[str(action.action_id)]
    not_removed = Action.objects.filter(fixture=fixture, removed=False)
    assert not any(" removed" in rows[str(a.action_id)] for a in not_removed)


def test_a_penalty_overturned_after_a_video_check_says_so(client: Client) -> None:
    fixture = store_match(match_with("has_penalty_overturned"))

    rows = timeline_rows(client.get(f"/fixtures/{fixture.id}/").content.decode())

    deleted = Action.objects.filter(fixture=fixture, type_id=106, send_type="Deleted")
    assert deleted
    for penalty in deleted:
        assert "Overturned after a video check" in rows[str(penalty.action_id)]


def test_a_pending_action_is_marked_provisional(
    client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    match = match_with("has_card_upgrade")
    fixture = make_fixture(match.fixture_id)
    packets = match_packets(match)
    pending_at = next(i for i, p in enumerate(packets) if p.action.send_type == "Pending")
    store_packets(fixture.id, packets[: pending_at + 1])

    html = client.get(f"/fixtures/{fixture.id}/").content.decode()

    pending = Action.objects.get(fixture=fixture, send_type="Pending")
    row = timeline_rows(html)[str(pending.action_id)]
    assert " pending" in row and "Provisional" in row


def test_an_unknown_fixture_is_not_found(client: Client) -> None:
    assert client.get(f"/fixtures/{uuid.uuid4()}/").status_code == 404
    assert client.get("/fixtures/not-a-uuid/").status_code == 404


def test_staff_see_links_to_the_admin_and_the_exports_and_others_do_not(
    client: Client, admin_client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    fixture = make_fixture()
    url = f"/fixtures/{fixture.id}/"
    links = [
        f"/admin/streams/fixture/{fixture.id}/change/",
        f"/api/fixtures/{fixture.id}/actions/?format=csv",
        f"/api/fixtures/{fixture.id}/actions/?format=json",
    ]

    staff_page = admin_client.get(url).content.decode()
    anonymous_page = client.get(url).content.decode()
    client.force_login(User.objects.create_user("viewer", password="not-staff"))
    member_page = client.get(url).content.decode()

    assert all(link in staff_page for link in links)
    for page in (anonymous_page, member_page):
        assert not any(link in page for link in links)
        assert "/admin/" not in page


def test_the_dde_token_never_appears_in_a_page(
    client: Client, admin_client: Client, settings: Any
) -> None:
    settings.DDE_AUTH_TOKEN = "tok-9f3a71c2e5b8-secret"
    fixture = store_match(match_with("has_suspension"))
    for browser in (client, admin_client):
        for url in ("/", f"/fixtures/{fixture.id}/"):
            response = browser.get(url)
            assert response.status_code == 200
            assert settings.DDE_AUTH_TOKEN not in response.content.decode()


@pytest.mark.parametrize("as_staff", [False, True])
def test_the_match_centre_runs_the_same_few_queries_whatever_the_number_of_actions(
    as_staff: bool,
    client: Client,
    admin_client: Client,
    make_fixture: Callable[..., Fixture],
    django_assert_max_num_queries: Any,
) -> None:
    browser = admin_client if as_staff else client
    small = make_fixture()
    store_packets(small.id, match_packets(match_with("has_shootout"))[:5])
    large = store_match(match_with("has_restored_goal"))
    assert Action.objects.filter(fixture=large).count() > 500

    counts = []
    for fixture in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(f"/fixtures/{fixture.id}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # The fixture, its actions and the catalogue's kinds (and the session and user).
    with django_assert_max_num_queries(5 if as_staff else 3):
        browser.get(f"/fixtures/{large.id}/")


def test_a_finished_match_with_1200_actions_renders_its_newest_rows_and_every_key_event(
    client: Client,
) -> None:
    # How fast is for bench/ (docs/benchmarks.md): a test asserts what, not how long.
    fixture = store_match(match_with("has_card_upgrade"))
    stored = Action.objects.filter(fixture=fixture).count()
    last = fixture.last_position or 0
    Action.objects.bulk_create(
        Action(
            fixture=fixture,
            action_id=uuid.uuid4(),
            type_id=110,
            type_name="Dangerous Attack",
            send_type="Confirmed",
            period=2,
            clock_time="60:00",
            team_name=fixture.home_team,
            team_is_home=True,
            timeline_sequence=2.5 + n * 1e-9,
            first_position=last + 1 + n,
            last_position=last + 1 + n,
        )
        for n in range(1200 - stored)
    )
    response = client.get(f"/fixtures/{fixture.id}/")

    rows = timeline_rows(response.content.decode())
    # The whole log, from its paged pages, is what the match page draws a part of.
    log: dict[str, str] = {}
    for number in (1, 2, 3):
        page = client.get(f"/fixtures/{fixture.id}/actions/", {"page": number})
        log.update(timeline_rows(page.content.decode()))
    order = list(log)
    assert len(order) == 1200
    drawn = list(rows)
    newest = order[-RECENT_ROWS:]

    def in_key_view(row: str) -> bool:
        classes = row.split('"')[1].split()
        return "key" in classes or "divider" in classes

    earlier_keys = [i for i in order[:-RECENT_ROWS] if in_key_view(log[i])]
    assert earlier_keys  # the goals and cards of the match before its attacks
    assert drawn == earlier_keys + newest
    attacks = [row for row in rows.values() if 'data-kind="dangerous_attack"' in row]
    assert len(attacks) >= RECENT_ROWS - stored


def test_badges_and_period_labels_follow_the_summary(make_fixture: Callable[..., Fixture]) -> None:
    first_half = {"id": 1, "label": "1st half", "type": "Regular", "end": None}
    ended = {**first_half, "end": "2025-03-01T15:47:00"}
    fixture = make_fixture(status="Live", current_period=1, periods=[first_half])
    assert badges(fixture) == [("live", "Live")]
    assert period_label(fixture) == "1st half"

    fixture.periods = [ended]
    assert badges(fixture) == [("halftime", "Half-time")]
    assert period_label(fixture) == "Half-time"

    fixture.status, fixture.collection_status = "Suspended", "CollectionSuspended"
    assert badges(fixture) == [("suspended", "Suspended")]

    fixture.status, fixture.collection_status = "Unverified", "CollectionDropped"
    fixture.finished = True
    assert badges(fixture) == [
        ("dropped", "Collection dropped"),
        ("finished", "Finished"),
        ("other", "Unverified"),
    ]
    assert period_label(fixture) == "Full time"


def test_a_period_label_keeps_the_feeds_letters_but_the_first_as_the_browser_does(
    make_fixture: Callable[..., Fixture],
) -> None:
    extra_time = {"id": 3, "label": "extra Time 1st half", "type": "ExtraTime", "end": None}
    fixture = make_fixture(status="Live", current_period=3, periods=[extra_time])

    assert period_label(fixture) == "Extra Time 1st half"


def test_a_shootout_the_feed_gave_no_score_for_is_won_by_its_kicks(client: Client) -> None:
    fixture = store_match(match_with("has_shootout"))
    with_score = client.get(f"/fixtures/{fixture.id}/").content.decode()
    winner = re.search(r"data-period>([^<]*) win (\d+)–(\d+) on penalties<", with_score)
    assert winner, "the shootout's winner in the header"

    # The same match, its Shootout period's score left out: the kicks give the same winner.
    for period in fixture.periods:
        if period.get("type") == "Shootout":
            period["home_period_score"] = period["away_period_score"] = None
    fixture.save(update_fields=["periods"])
    without = client.get(f"/fixtures/{fixture.id}/").content.decode()
    assert f"data-period>{winner[1]} win {winner[2]}–{winner[3]} on penalties<" in without
