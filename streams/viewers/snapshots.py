"""What a viewer gets on connecting: read from Postgres, shaped for docs/live-protocol.md."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from streams import catalogue
from streams.models import Fixture, FixtureStatus
from streams.viewers.broadcast import scoreboard_message, snapshot_messages

# The list page shows fixtures kicking off within this window around now.
SCOREBOARD_PAST = dt.timedelta(days=1)
SCOREBOARD_AHEAD = dt.timedelta(days=2)


@dataclass(frozen=True)
class Snapshot:
    position: int
    messages: list[str]  # one, or the parts of a big one, to be sent in order


def fixture_snapshot(fixture_id: uuid.UUID, after: int) -> Snapshot | None:
    """Everything about a fixture that changed after position ``after``; None if unknown.

    The fixture is read first: an action stored later than that read may also appear (a
    harmless newer state), but nothing at or before the snapshot position is missing.
    """
    fixture = Fixture.objects.filter(pk=fixture_id).first()
    if fixture is None:
        return None
    position = -1 if fixture.last_position is None else fixture.last_position
    actions = catalogue.timeline_actions(fixture_id).filter(last_position__gt=after)
    payloads = catalogue.describe_actions(fixture_id, list(actions), all_of_them=after < 0)
    return Snapshot(position, snapshot_messages(position, fixture.to_payload(), payloads))


def scoreboard_fixtures(now: dt.datetime | None = None) -> list[Fixture]:
    """Fixtures live now, upcoming soon and recently finished, in kick-off order."""
    now = now or timezone.now()
    window = Q(kickoff__gte=now - SCOREBOARD_PAST, kickoff__lte=now + SCOREBOARD_AHEAD)
    return list(Fixture.objects.filter(window | Q(status=FixtureStatus.LIVE)).order_by("kickoff"))


def scoreboard_snapshot() -> str:
    return scoreboard_message([fixture.to_payload() for fixture in scoreboard_fixtures()])
