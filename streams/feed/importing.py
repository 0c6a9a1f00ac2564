"""Importing fixtures from the vendor's Fixtures REST API (docs/dde-protocol.md §11.1)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import structlog
from django.conf import settings

from streams.dde.rest import DdeApi, FixtureInfo, InvalidFixture, parse_fixture
from streams.models import Fixture, FixtureStatus

log = structlog.get_logger(__name__)

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
        # What the vendor will cover may change before kick-off (docs/dde-protocol.md §9).
        **({"coverage_level": info.coverage_level} if info.coverage_level else {}),
    }
    fixture, created = Fixture.objects.get_or_create(
        id=uuid.UUID(info.id),
        defaults={
            **defaults,
            "status": info.status or FixtureStatus.SCHEDULED,
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


@dataclass
class ImportResult:
    fixtures: list[Fixture] = field(default_factory=list)
    # One line per fixture object that could not be used, with the reason.
    skipped: list[str] = field(default_factory=list)


def import_fixtures(client: DdeApi | None = None) -> ImportResult:
    """Pull every fixture the API lists, on every page, into the database. A fixture
    object without an id or kick-off is skipped and named; the others are still saved."""
    client = client or api()
    result = ImportResult()
    for raw in client.all_fixtures():
        try:
            info = parse_fixture(raw)
        except InvalidFixture as exc:
            reason = client.redact(exc.body)  # the fixture object may quote the token
            log.warning("fixture.import_skipped", reason=reason)
            result.skipped.append(reason)
            continue
        result.fixtures.append(save_fixture(info)[0])
    return result


def import_fixture(fixture_id: uuid.UUID, client: DdeApi | None = None) -> Fixture:
    """Pull one fixture by id into the database."""
    client = client or api()
    try:
        info = parse_fixture(client.fixture(str(fixture_id)))
    except InvalidFixture as exc:
        raise InvalidFixture(client.redact(exc.body)) from None
    return save_fixture(info)[0]
