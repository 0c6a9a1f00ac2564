"""Staff and the fixture import save only their own columns, never what a listener wrote."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from streams.admin import FixtureAdmin
from streams.dde.rest import FixtureInfo
from streams.feed import importing
from streams.models import Fixture
from tests.support.admin_forms import form_data

pytestmark = pytest.mark.django_db


def listener_writes(fixture: Fixture) -> None:
    """What a listener stores meanwhile, as its statement does: the row, not the object."""
    Fixture.objects.filter(pk=fixture.pk).update(
        last_position=41, home_score=2, status="Live", listener_epoch=7
    )


def listener_columns(fixture: Fixture) -> tuple[Any, ...]:
    fixture.refresh_from_db()
    return fixture.last_position, fixture.home_score, fixture.status, fixture.listener_epoch


def test_a_staff_edit_keeps_what_the_listener_stored_since_the_form_was_read(
    make_fixture: Callable[..., Fixture], admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = make_fixture(name="Before")
    listener_writes(stale)
    # The change view read the row just before the listener's write.
    monkeypatch.setattr(FixtureAdmin, "get_object", lambda *_: stale)
    data = form_data(name="Renamed", home_team=stale.home_team, away_team=stale.away_team)
    data.pop("id")

    response = admin_client.post(reverse("admin:streams_fixture_change", args=[stale.pk]), data)

    assert response.status_code == 302, response.content
    assert listener_columns(stale) == (41, 2, "Live", 7)
    assert stale.name == "Renamed"


def test_a_fixture_import_keeps_what_the_listener_stored_since_it_was_read(
    make_fixture: Callable[..., Fixture], monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = make_fixture(name="Before")
    listener_writes(stale)
    # The import read the row just before the listener's write.
    monkeypatch.setattr(Fixture.objects, "get_or_create", lambda **_: (stale, False))
    moved = stale.kickoff + dt.timedelta(hours=1)
    info = FixtureInfo(
        str(stale.id), "Renamed", "Home", "Away", None, None, moved, "Scheduled", None
    )

    importing.save_fixture(info)

    assert listener_columns(stale) == (41, 2, "Live", 7)
    assert (stale.name, stale.kickoff, stale.listen_until) == (
        "Renamed",
        moved,
        importing.listen_window(moved)[1],
    )
