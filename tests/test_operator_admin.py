"""Admin for operators: a fixture's change page starts, stops and replays it (POST with
CSRF; a confirmation before the replay), links to its match centre; the lists say what
they mean (listener state, a token's state, a packet's action and send type)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from streams.models import ApiToken, Fixture, ListenerState, Packet

pytestmark = pytest.mark.django_db


def change_url(fixture: Fixture) -> str:
    return reverse("admin:streams_fixture_change", args=[fixture.pk])


def test_the_change_page_has_the_operators_buttons_and_the_match_centre(
    admin_client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    fixture = make_fixture()
    page = admin_client.get(change_url(fixture)).content.decode()
    assert reverse("fixture", args=[fixture.pk]) in page
    for name in ("start", "stop"):
        action = reverse(f"admin:streams_fixture_{name}", args=[fixture.pk])
        assert f'<form method="post" action="{action}"' in page
    assert reverse("admin:streams_fixture_replay", args=[fixture.pk]) in page
    assert page.count("csrfmiddlewaretoken") >= 3


def test_stop_and_start_are_posts_that_act_on_the_fixture(
    admin_client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    fixture = make_fixture()
    stop = reverse("admin:streams_fixture_stop", args=[fixture.pk])
    assert admin_client.get(stop).status_code == 405
    response = admin_client.post(stop)
    assert response.status_code == 302 and response["Location"] == change_url(fixture)
    fixture.refresh_from_db()
    assert fixture.stop_requested

    admin_client.post(reverse("admin:streams_fixture_start", args=[fixture.pk]))
    fixture.refresh_from_db()
    assert not fixture.stop_requested and fixture.listen_from <= timezone.now()


def test_the_buttons_need_the_csrf_token(make_fixture: Callable[..., Fixture]) -> None:
    fixture = make_fixture()
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create_superuser("ops", "ops@example.com", "pw"))
    assert client.post(reverse("admin:streams_fixture_stop", args=[fixture.pk])).status_code == 403
    fixture.refresh_from_db()
    assert not fixture.stop_requested


def test_replay_asks_first_then_replays(
    admin_client: Client, make_fixture: Callable[..., Fixture], monkeypatch: Any
) -> None:
    replayed: list[str] = []
    monkeypatch.setattr("streams.admin.replay_fixture.delay", replayed.append)
    fixture = make_fixture()
    replay = reverse("admin:streams_fixture_replay", args=[fixture.pk])
    confirm = admin_client.get(replay)
    assert confirm.status_code == 200 and "Yes, replay from the start" in confirm.content.decode()
    assert replayed == []
    assert admin_client.post(replay).status_code == 302
    assert replayed == [str(fixture.pk)]


def test_the_buttons_are_for_staff_who_may_change_fixtures(
    client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    fixture = make_fixture()
    client.force_login(User.objects.create_user("viewer", password="pw", is_staff=True))
    for name in ("stop", "start", "replay"):
        response = client.post(reverse(f"admin:streams_fixture_{name}", args=[fixture.pk]))
        assert response.status_code == 403, name
    fixture.refresh_from_db()
    assert not fixture.stop_requested


def test_an_unknown_fixture_is_a_404(admin_client: Client) -> None:
    for fixture_id in (uuid.uuid4(), "not-a-uuid"):
        url = f"/admin/streams/fixture/{fixture_id}/stop/"
        assert admin_client.post(url).status_code == 404


def test_the_list_shows_the_listener_state_and_when_the_feed_is_stale(
    admin_client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    make_fixture(
        home_team="A Very Long Name Athletic",
        listener_state=ListenerState.LISTENING,
        last_frame_at=timezone.now() - dt.timedelta(minutes=5),
    )
    page = admin_client.get(reverse("admin:streams_fixture_changelist")).content.decode()
    assert "A Very Long Name Athletic<br>v Away" in page
    assert 'data-feed="stale"' in page and "Listening (stale)" in page


def test_a_revoked_token_reads_revoked(admin_client: Client) -> None:
    ApiToken.issue("kept")
    revoked, _ = ApiToken.issue("gone")
    revoked.revoked = True
    revoked.save()
    page = admin_client.get(reverse("admin:streams_apitoken_changelist")).content.decode()
    assert page.count(">Revoked<") == 1 and page.count(">Active<") == 1
    assert "icon-yes.svg" not in page  # no green tick on a token that no longer works


def test_the_packets_list_shows_action_type_and_send_type(
    admin_client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    fixture = make_fixture()
    payload = {
        "fixtureAction": {
            "fixtureActionTypeId": 107,
            "fixtureActionType": "Yellow Card",
            "sendType": "Pending",
        }
    }
    Packet.objects.create(
        fixture=fixture,
        position=0,
        payload=payload,
        action_id=uuid.uuid4(),
        received_at=timezone.now(),
    )
    page = admin_client.get(reverse("admin:streams_packet_changelist")).content.decode()
    assert "107 Yellow Card" in page and ">Pending<" in page
