"""Importing fixtures from the vendor's Fixtures REST API (PROTOCOL.md §11.1)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings

from streams.dde.rest import DdeApi, FixtureInfo, parse_fixture
from streams.models import Fixture

# The default listen window: connect a little before kick-off (pre-match packets such as
# team colours arrive then) and give up well after any extra time and shootout.
LISTEN_BEFORE = dt.timedelta(minutes=15)
LISTEN_AFTER = dt.timedelta(hours=4)


def api() -> DdeApi:
    return DdeApi(settings.DDE_API_URL, settings.DDE_AUTH_TOKEN, sport=settings.DDE_SPORT)


def save_fixture(info: FixtureInfo) -> tuple[Fixture, bool]:
    """Create or refresh a fixture from the vendor's data; keeps what staff scheduled."""
    # Names are clipped to the columns staff edit in admin; ids and times are kept whole.
    defaults = {
        "name": info.name[:200],
        "home_team": info.home_team[:120],
        "away_team": info.away_team[:120],
        "home_team_id": info.home_team_id or "",
        "away_team_id": info.away_team_id or "",
        "kickoff": info.kickoff,
    }
    fixture, created = Fixture.objects.get_or_create(
        id=uuid.UUID(info.id),
        defaults={
            **defaults,
            "status": info.status or "Scheduled",
            "listen_from": info.kickoff - LISTEN_BEFORE,
            "listen_until": info.kickoff + LISTEN_AFTER,
        },
    )
    if not created:
        moved = fixture.kickoff != info.kickoff
        for name, value in defaults.items():
            setattr(fixture, name, value)
        if moved:  # re-scheduled upstream: move the window with the kick-off
            fixture.listen_from = info.kickoff - LISTEN_BEFORE
            fixture.listen_until = info.kickoff + LISTEN_AFTER
        fixture.save()
    return fixture, created


def import_fixtures(client: DdeApi | None = None) -> list[Fixture]:
    """Pull every fixture the API lists into the database."""
    client = client or api()
    return [save_fixture(parse_fixture(raw))[0] for raw in client.fixtures()]


def import_fixture(fixture_id: uuid.UUID, client: DdeApi | None = None) -> Fixture:
    """Pull one fixture by id into the database."""
    client = client or api()
    return save_fixture(parse_fixture(client.fixture(str(fixture_id))))[0]
