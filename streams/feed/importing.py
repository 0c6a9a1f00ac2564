"""Importing fixtures from the vendor's Fixtures REST API (docs/dde-protocol.md §11.1)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import structlog
from django.conf import settings
from django.db import DatabaseError, transaction

from streams.dde.bounds import clip
from streams.dde.rest import DdeApi, FixtureInfo, InvalidFixture, parse_fixture
from streams.models import Fixture, FixtureStatus

log = structlog.get_logger(__name__)

# The default listen window: connect a little before kick-off (pre-match packets such as
# team colours arrive then) and give up well after any extra time and shootout.
LISTEN_BEFORE = dt.timedelta(minutes=15)
LISTEN_AFTER = dt.timedelta(hours=4)
# How much of a database error a skipped fixture's line keeps.
_REASON_CHARS = 300


class FixtureNotSaved(Exception):
    """A vendor fixture that parsed but could not be saved; the message says which and why."""


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
        fields = list(defaults)
        if moved:  # re-scheduled upstream: move the window with the kick-off
            fixture.listen_from = info.kickoff - LISTEN_BEFORE
            fixture.listen_until = info.kickoff + LISTEN_AFTER
            fields += ["listen_from", "listen_until"]
        # Only these columns: a whole-row save would put back what a listener wrote
        # between the read above and this write (its position, the score, its epoch).
        fixture.save(update_fields=[*fields, "updated_at"])
    return fixture, created


@dataclass
class ImportResult:
    fixtures: list[Fixture] = field(default_factory=list)
    # One line per fixture object that could not be used, with the reason.
    skipped: list[str] = field(default_factory=list)


def import_fixtures(client: DdeApi | None = None) -> ImportResult:
    """Pull every fixture the API lists, on every page, into the database. A fixture
    object without an id or kick-off, or one the database refuses, is skipped and named
    in one line; the others are still saved."""
    client = client or api()
    result = ImportResult()
    for raw in client.all_fixtures():
        try:
            fixture = _save(parse_fixture(raw))
        except InvalidFixture as exc:
            reason = exc.body
        except FixtureNotSaved as exc:
            reason = str(exc)
        else:
            result.fixtures.append(fixture)
            continue
        reason = client.redact(reason)  # the fixture object may quote the token
        log.warning("fixture.import_skipped", reason=reason)
        result.skipped.append(reason)
    return result


def import_fixture(fixture_id: uuid.UUID, client: DdeApi | None = None) -> Fixture:
    """Pull one fixture by id into the database; raises ``DdeApiError`` (``InvalidFixture``
    among them) or ``FixtureNotSaved``."""
    client = client or api()
    try:
        return _save(parse_fixture(client.fixture(str(fixture_id))))
    except InvalidFixture as exc:
        raise InvalidFixture(client.redact(exc.body)) from None
    except FixtureNotSaved as exc:
        raise FixtureNotSaved(client.redact(str(exc))) from None


def _save(info: FixtureInfo) -> Fixture:
    """``save_fixture`` in a savepoint of its own: a fixture the database refuses rolls back
    alone, and the import goes on with the next one."""
    try:
        with transaction.atomic():
            return save_fixture(info)[0]
    except (DatabaseError, ValueError, OverflowError) as exc:
        # OverflowError: a kick-off so near year 1 or 9999 that its listen window is not a date.
        detail = clip(f"{type(exc).__name__}: {exc}", _REASON_CHARS)
        raise FixtureNotSaved(f"fixture {info.id} not saved: {detail}") from None
