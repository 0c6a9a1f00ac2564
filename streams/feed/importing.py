"""Importing fixtures from the vendor's Fixtures REST API (docs/dde-protocol.md §11.1)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import structlog
from django.conf import settings
from django.db import DatabaseError, transaction

from streams.dde.bounds import clip
from streams.dde.rest import DdeApi, FixtureInfo, InvalidFixture, parse_fixture
from streams.feed.ratelimit import vendor_limiter
from streams.models import Fixture, FixtureStatus

log = structlog.get_logger(__name__)

# Statuses the Fixtures API may set on a fixture that already has a listener's data: a
# match that will not be played (on), whatever the feed last said. Before the first packet
# every vendor status is taken; after it the feed's fixtureSummary is the truth (§5.5).
_OVERRIDING_STATUSES = {
    FixtureStatus.POSTPONED,
    FixtureStatus.CANCELLED,
    FixtureStatus.ABANDONED,
}
# How much of a database error a skipped fixture's line keeps.
_REASON_CHARS = 300


class FixtureNotSaved(Exception):
    """A vendor fixture that parsed but could not be saved; the message says which and why."""


def api() -> DdeApi:
    """The vendor's REST API, every call under the cluster's rate limit."""
    return DdeApi(
        settings.DDE_API_URL,
        settings.DDE_AUTH_TOKEN,
        sport=settings.DDE_SPORT,
        before_request=vendor_limiter().acquire,
    )


def listen_window(kickoff: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The default listen window: connect a little before kick-off (pre-match packets such
    as team colours arrive then) and give up well after any extra time and shootout."""
    before = dt.timedelta(minutes=settings.FIXTURE_LISTEN_BEFORE_MINUTES)
    after = dt.timedelta(minutes=settings.FIXTURE_LISTEN_AFTER_MINUTES)
    return kickoff - before, kickoff + after


def save_fixture(info: FixtureInfo) -> tuple[Fixture, bool]:
    """Create or refresh a fixture from the vendor's data; keeps what staff scheduled.

    A fixture the vendor deleted is marked ``vendor_deleted``, never deleted here: its
    packets stay. The vendor's status is taken before the listener's first packet, and
    after it only when the match will not be played on (postponed, cancelled, abandoned).
    """
    # Names are clipped to the columns staff edit in admin; ids and times are kept whole.
    defaults = {
        "name": info.name[:200],
        "home_team": info.home_team[:120],
        "away_team": info.away_team[:120],
        "home_team_id": info.home_team_id or "",
        "away_team_id": info.away_team_id or "",
        "kickoff": info.kickoff,
        **({"competition": info.competition} if info.competition else {}),
        **({"venue": info.venue} if info.venue else {}),
        # What the vendor will cover may change before kick-off (docs/dde-protocol.md §9).
        **({"coverage_level": info.coverage_level} if info.coverage_level else {}),
        "vendor_deleted": info.deleted,
    }
    listen_from, listen_until = listen_window(info.kickoff)
    fixture, created = Fixture.objects.get_or_create(
        id=uuid.UUID(info.id),
        defaults={
            **defaults,
            "status": info.status or FixtureStatus.SCHEDULED,
            "listen_from": listen_from,
            "listen_until": listen_until,
        },
    )
    if not created:
        moved = fixture.kickoff != info.kickoff
        for name, value in defaults.items():
            setattr(fixture, name, value)
        fields = list(defaults)
        if moved:  # re-scheduled upstream: move the window with the kick-off
            fixture.listen_from, fixture.listen_until = listen_from, listen_until
            fields += ["listen_from", "listen_until"]
        # Only these columns: a whole-row save would put back what a listener wrote
        # between the read above and this write (its position, the score, its epoch).
        fixture.save(update_fields=[*fields, "updated_at"])
        if info.status and info.status != fixture.status:
            _take_vendor_status(fixture, info.status)
    return fixture, created


def _take_vendor_status(fixture: Fixture, status: str) -> None:
    """One UPDATE, guarded in SQL: a listener that stored its first packet since the row
    was read has written the feed's own status, which then stays."""
    rows = Fixture.objects.filter(pk=fixture.pk)
    if status not in _OVERRIDING_STATUSES:
        rows = rows.filter(last_position__isnull=True, finished=False)
    if rows.update(status=status):
        fixture.status = status


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
    return save_listed(client.all_fixtures(), client)


def save_listed(listed: Iterable[dict[str, Any]], client: DdeApi) -> ImportResult:
    """Save each fixture object of ``listed``; skips (and names) the unusable ones."""
    result = ImportResult()
    for raw in listed:
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
