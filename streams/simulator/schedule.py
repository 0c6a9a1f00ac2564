"""Which fixtures the simulator knows: scheduled live ones, and recorded ones for any other id."""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import random
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final, TypeVar

from streams.simulator.match import Match, generate_match
from streams.simulator.teams import Team
from streams.simulator.variant import DEFAULT_VARIANT, MatchVariant

DEMO_NAMESPACE: Final = uuid.UUID("0f5e3f9c-8d43-4c57-bb0e-5a8f2f1d9c10")
# Recorded matches are replayed at the speed they were played.
RECORDED_PACE: Final = 1.0
# A whole match holds about 3 MB of packets; an outline about 0.1 MB.
_MATCH_CACHE_SIZE: Final = 16
_OUTLINE_CACHE_SIZE: Final = 1024

_Cached = TypeVar("_Cached")


@dataclass(frozen=True)
class FixtureEntry:
    """A fixture as the schedule knows it; ``scheduled`` is False for recorded ones."""

    id: uuid.UUID
    kickoff: dt.datetime
    home: str | None = None
    away: str | None = None
    scheduled: bool = True
    update_count: int = 0
    # Set on command (``Schedule.postpone``, ``Schedule.remove``): the status the fixtures
    # API lists instead of the match's own, and whether it lists the fixture as deleted.
    status: str | None = None
    deleted: bool = False


@dataclass(frozen=True)
class Outline:
    """What listing a fixture needs: teams, release times and the status after each packet."""

    home: Team
    away: Team
    kickoff: dt.datetime
    release_offsets: tuple[float, ...]
    statuses: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, match: Match) -> Outline:
        summaries = [packet["fixtureSummary"] for packet in match.packets]
        return cls(
            home=match.home,
            away=match.away,
            kickoff=match.kickoff,
            release_offsets=tuple(match.release_offsets),
            statuses=tuple((s["currentStatus"], s["collectionStatus"]) for s in summaries),
        )

    @property
    def name(self) -> str:
        return f"{self.home.name} v {self.away.name}"

    def status(self, now: dt.datetime) -> tuple[str, str]:
        """(status, collectionStatus) as of the last packet released by ``now``."""
        elapsed = (now - self.kickoff).total_seconds()
        released = bisect.bisect_right(self.release_offsets, elapsed)
        if not released:
            return "Scheduled", "CollectionScheduled"
        return self.statuses[released - 1]


def recorded_kickoff(fixture_id: uuid.UUID) -> dt.datetime:
    """A kick-off in 2025, between January and October, derived from the id."""
    rng = random.Random(fixture_id.int ^ 0x5C4ED)
    day = dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=rng.randrange(300))
    return day.replace(hour=rng.randint(12, 20), minute=rng.choice((0, 15, 30, 45)))


class Schedule:
    """Fixtures by id; safe to add to from another thread while the server reads it.

    ``variant`` (type numbering, invented types) applies to every match it generates.
    """

    def __init__(self, variant: MatchVariant = DEFAULT_VARIANT, *, recorded: bool = True) -> None:
        self.variant = variant
        # False: the REST twin answers 404 for an id it has not scheduled, as the vendor
        # does for one it does not know (the default plays any id as a recorded match).
        self.recorded = recorded
        self._lock = threading.Lock()
        self._fixtures: dict[uuid.UUID, FixtureEntry] = {}
        self._matches: OrderedDict[tuple[FixtureEntry, float], Match] = OrderedDict()
        self._outlines: OrderedDict[tuple[FixtureEntry, float], Outline] = OrderedDict()

    def add(
        self,
        fixture_id: uuid.UUID,
        *,
        kickoff: dt.datetime,
        home: str | None = None,
        away: str | None = None,
    ) -> FixtureEntry:
        """Schedule (or re-schedule) a live fixture; a change bumps its ``updateCount``."""
        if kickoff.tzinfo is None:
            raise ValueError("kickoff must be timezone-aware")
        with self._lock:
            previous = self._fixtures.get(fixture_id)
            entry = FixtureEntry(fixture_id, kickoff.astimezone(dt.UTC), home, away)
            if previous is not None and previous != entry:
                entry = FixtureEntry(
                    fixture_id, entry.kickoff, home, away, update_count=previous.update_count + 1
                )
            self._fixtures[fixture_id] = entry
            return entry

    def move(self, fixture_id: uuid.UUID, kickoff: dt.datetime) -> FixtureEntry:
        """Change a scheduled fixture's kick-off (``updateCount`` goes up)."""
        if kickoff.tzinfo is None:
            raise ValueError("kickoff must be timezone-aware")
        return self._change(fixture_id, kickoff=kickoff.astimezone(dt.UTC))

    def postpone(self, fixture_id: uuid.UUID, status: str = "Postponed") -> FixtureEntry:
        """List a scheduled fixture with ``status`` (Postponed, Cancelled, Abandoned...)."""
        return self._change(fixture_id, status=status)

    def remove(self, fixture_id: uuid.UUID) -> FixtureEntry:
        """Delete a scheduled fixture: listed only with ``includeDeleted=true``, then with
        ``fixtureDeleted: true``; ``add`` brings it back."""
        return self._change(fixture_id, deleted=True)

    def _change(self, fixture_id: uuid.UUID, **changes: object) -> FixtureEntry:
        with self._lock:
            previous = self._fixtures.get(fixture_id)
            if previous is None:
                raise KeyError(f"fixture {fixture_id} is not scheduled")
            entry = dataclasses.replace(previous, **changes, update_count=previous.update_count + 1)  # type: ignore[arg-type]
            self._fixtures[fixture_id] = entry
            return entry

    def demo(self, now: dt.datetime) -> list[uuid.UUID]:
        """Three fixtures with ids new each minute: live within a minute, four minutes
        later, and one that kicked off three hours ago and has finished."""
        minute = now.astimezone(dt.UTC).replace(second=0, microsecond=0)
        start = now.astimezone(dt.UTC).replace(microsecond=0)
        kickoffs = (
            start + dt.timedelta(seconds=45),
            start + dt.timedelta(minutes=4),
            start - dt.timedelta(hours=3),
        )
        ids = []
        for number, kickoff in enumerate(kickoffs, start=1):
            fixture_id = uuid.uuid5(DEMO_NAMESPACE, f"{minute.isoformat()}/{number}")
            self.add(fixture_id, kickoff=kickoff)
            ids.append(fixture_id)
        return ids

    def scheduled(self) -> list[FixtureEntry]:
        with self._lock:
            return sorted(self._fixtures.values(), key=lambda entry: (entry.kickoff, entry.id))

    def entry(self, fixture_id: uuid.UUID) -> FixtureEntry:
        """The scheduled fixture, or a recorded one that finished long ago."""
        with self._lock:
            found = self._fixtures.get(fixture_id)
        if found is not None:
            return found
        return FixtureEntry(fixture_id, recorded_kickoff(fixture_id), scheduled=False)

    def _key(self, fixture_id: uuid.UUID, pace: float) -> tuple[FixtureEntry, float]:
        entry = self.entry(fixture_id)
        return entry, (pace if entry.scheduled else RECORDED_PACE)

    def match(self, fixture_id: uuid.UUID, pace: float) -> Match:
        """The generated match; scheduled fixtures play at ``pace``, recorded ones at 1."""
        key = self._key(fixture_id, pace)
        found = self._cached(self._matches, key)
        if found is not None:
            return found
        entry, match_pace = key
        match = generate_match(
            fixture_id,
            entry.kickoff,
            match_pace,
            home=entry.home,
            away=entry.away,
            variant=self.variant,
        )
        self._store(self._matches, key, match, _MATCH_CACHE_SIZE)
        self._store(self._outlines, key, Outline.of(match), _OUTLINE_CACHE_SIZE)
        return match

    def outline(self, fixture_id: uuid.UUID, pace: float) -> Outline:
        """The fixture's outline, generating (and dropping) the match only when needed."""
        found = self._cached(self._outlines, self._key(fixture_id, pace))
        if found is not None:
            return found
        self.match(fixture_id, pace)
        return self.outline(fixture_id, pace)

    def _cached(
        self,
        cache: OrderedDict[tuple[FixtureEntry, float], _Cached],
        key: tuple[FixtureEntry, float],
    ) -> _Cached | None:
        with self._lock:
            found = cache.get(key)
            if found is not None:
                cache.move_to_end(key)
            return found

    def _store(
        self,
        cache: OrderedDict[tuple[FixtureEntry, float], _Cached],
        key: tuple[FixtureEntry, float],
        value: _Cached,
        size: int,
    ) -> None:
        with self._lock:
            cache[key] = value
            while len(cache) > size:
                cache.popitem(last=False)
