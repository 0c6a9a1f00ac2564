"""The admin's add form: a fixture id, and the vendor's teams and kick-off fetched for it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from streams.models import Fixture
from streams.simulator import Schedule
from tests.conftest import StartFeed

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:streams_fixture_add")
KICKOFF = (timezone.now() + dt.timedelta(hours=2)).replace(microsecond=0)


def at(moment: dt.datetime, field: str) -> dict[str, str]:
    return {f"{field}_0": moment.strftime("%Y-%m-%d"), f"{field}_1": moment.strftime("%H:%M:%S")}


def add_data(fixture_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    return {"id": str(fixture_id), "feed": "betting", "speed": "fast", **overrides}


@pytest.fixture
def vendor(start_feed: StartFeed) -> tuple[Schedule, uuid.UUID]:
    schedule = Schedule(recorded=False)  # 404 for an id it has not scheduled
    fixture_id = uuid.uuid4()
    schedule.add(fixture_id, kickoff=KICKOFF, home="Vendor Home", away="Vendor Away")
    start_feed(schedule=schedule)
    return schedule, fixture_id


def test_the_add_form_asks_for_the_id_not_for_teams_or_kickoff(admin_client: Client) -> None:
    form = admin_client.get(ADD_URL).context["adminform"].form
    assert "id" in form.fields
    assert not {"home_team", "away_team", "kickoff", "name"} & set(form.fields)


def test_staff_add_a_fixture_by_id_and_get_the_vendors_teams_and_kickoff(
    admin_client: Client, vendor: tuple[Schedule, uuid.UUID]
) -> None:
    _, fixture_id = vendor
    response = admin_client.post(ADD_URL, add_data(fixture_id, home_team="Typed FC"))
    assert response.status_code == 302
    fixture = Fixture.objects.get(pk=fixture_id)
    assert (fixture.home_team, fixture.away_team) == ("Vendor Home", "Vendor Away")
    assert fixture.name == "Vendor Home v Vendor Away"
    assert fixture.kickoff == KICKOFF
    assert fixture.home_team_id and fixture.coverage_level
    assert fixture.listen_from == KICKOFF - dt.timedelta(minutes=30)
    assert fixture.listen_until == KICKOFF + dt.timedelta(hours=3)


def test_the_default_window_follows_the_settings(
    admin_client: Client, vendor: tuple[Schedule, uuid.UUID], settings: Any
) -> None:
    settings.FIXTURE_LISTEN_BEFORE_MINUTES = 5
    settings.FIXTURE_LISTEN_AFTER_MINUTES = 60
    _, fixture_id = vendor
    assert admin_client.post(ADD_URL, add_data(fixture_id)).status_code == 302
    fixture = Fixture.objects.get(pk=fixture_id)
    assert fixture.listen_from == KICKOFF - dt.timedelta(minutes=5)
    assert fixture.listen_until == KICKOFF + dt.timedelta(hours=1)


def test_an_id_the_vendor_does_not_know_is_a_clear_form_error(
    admin_client: Client, vendor: tuple[Schedule, uuid.UUID]
) -> None:
    unknown = uuid.uuid4()
    response = admin_client.post(ADD_URL, add_data(unknown))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["id"] == [f"The vendor does not know fixture {unknown}."]
    assert not Fixture.objects.exists()


def test_a_vendor_that_cannot_be_reached_is_a_form_error(
    admin_client: Client, settings: Any
) -> None:
    settings.DDE_API_URL = "http://127.0.0.1:1"
    response = admin_client.post(ADD_URL, add_data(uuid.uuid4()))
    assert response.status_code == 200
    assert "Could not fetch fixture" in response.context["adminform"].form.errors["id"][0]


@pytest.mark.parametrize(
    ("window", "error"),
    [
        ({"listen_from": 30, "listen_until": 20}, "The listen window must end after it starts."),
        ({"listen_from": 5, "listen_until": 180}, "The listen window must open by kick-off."),
        ({"listen_from": -15, "listen_until": 0}, "The listen window must end after kick-off."),
    ],
)
def test_a_listen_window_out_of_order_is_a_form_error_not_a_500(
    admin_client: Client, vendor: tuple[Schedule, uuid.UUID], window: dict[str, int], error: str
) -> None:
    _, fixture_id = vendor
    data = add_data(fixture_id)
    for field, minutes in window.items():
        data.update(at(KICKOFF + dt.timedelta(minutes=minutes), field))
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert error in response.context["adminform"].form.errors.as_text()
    assert not Fixture.objects.exists()


def test_a_duplicate_fixture_id_is_refused(
    admin_client: Client, vendor: tuple[Schedule, uuid.UUID], make_fixture: Callable[..., Fixture]
) -> None:
    _, fixture_id = vendor
    make_fixture(fixture_id)
    response = admin_client.post(ADD_URL, add_data(fixture_id))
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
