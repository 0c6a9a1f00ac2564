"""Admin: the fixture list, scheduling form validation, actions, read-only stored data."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from streams.models import Fixture, Packet
from tests.conftest import StartFeed
from tests.support.admin_forms import form_data

pytestmark = pytest.mark.django_db


ADD_URL = reverse("admin:streams_fixture_add")


def test_the_fixture_list_shows_score_packets_and_listener_state(
    admin_client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    make_fixture(
        home_team="Lions",
        home_score=2,
        away_score=1,
        last_position=41,
        listener_state="listening",
        last_frame_at=timezone.now(),
    )
    page = admin_client.get(reverse("admin:streams_fixture_changelist")).content.decode()
    for text in ("Lions", "2–1", "42", "listening", "ago"):
        assert text in page


# Adding a fixture (the vendor's id, teams and kick-off fetched): tests/feed/test_fixture_add.py


def test_a_malformed_fixture_id_is_a_form_error(admin_client: Client) -> None:
    response = admin_client.post(ADD_URL, form_data(id="not-a-uuid"))
    assert response.status_code == 200
    assert "id" in response.context["adminform"].form.errors
    assert not Fixture.objects.exists()


def test_a_fixture_id_cannot_be_changed_onto_another_fixture(
    admin_client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    first, second = make_fixture(home_team="First"), make_fixture(home_team="Second")
    change_url = reverse("admin:streams_fixture_change", args=[first.pk])
    response = admin_client.post(change_url, form_data(id=str(second.id), home_team="Renamed"))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.home_team, second.home_team) == ("Renamed", "Second")
    assert Fixture.objects.count() == 2


def test_the_stop_action_sets_the_stop_flag(
    admin_client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    fixture = make_fixture()
    admin_client.post(
        reverse("admin:streams_fixture_changelist"),
        {"action": "stop", "_selected_action": [str(fixture.pk)]},
    )
    fixture.refresh_from_db()
    assert fixture.stop_requested


def test_stored_packets_can_be_read_but_not_changed(
    admin_client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    fixture = make_fixture()
    packet = Packet.objects.create(
        fixture=fixture,
        position=0,
        payload={"a": 1},
        action_id=uuid.uuid4(),
        received_at=timezone.now(),
    )
    change_url = reverse("admin:streams_packet_change", args=[packet.pk])
    assert admin_client.get(change_url).status_code == 200
    assert admin_client.post(change_url, {"position": 5}).status_code == 403
    assert admin_client.get(reverse("admin:streams_packet_add")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_import_fixtures_from_the_admin(admin_client: Client, start_feed: StartFeed) -> None:
    from streams.simulator import Schedule

    schedule = Schedule()
    fixture_id = uuid.uuid4()
    schedule.add(fixture_id, kickoff=timezone.now() + dt.timedelta(hours=1))
    start_feed(schedule=schedule)
    response = admin_client.post(reverse("admin:streams_fixture_import"), follow=True)
    assert "Imported 1 fixture" in response.content.decode()
    assert Fixture.objects.filter(pk=fixture_id).exists()


def test_the_dde_token_never_appears_in_admin(
    admin_client: Client, make_fixture: Callable[..., Fixture], settings: Any
) -> None:
    settings.DDE_AUTH_TOKEN = "secret-dde-token-1234"
    fixture = make_fixture()
    pages = [
        reverse("admin:index"),
        reverse("admin:streams_fixture_changelist"),
        reverse("admin:streams_fixture_change", args=[fixture.pk]),
        ADD_URL,
    ]
    for url in pages:
        assert "secret-dde-token-1234" not in admin_client.get(url).content.decode()
