"""The fixture state a generated match carries in every packet's ``fixtureSummary``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

PERIOD_LABELS: Final = {1: "1st half", 2: "2nd half", 3: "penalty shootout"}
SHOOTOUT_PERIOD: Final = 3


@dataclass
class PeriodState:
    """One started period; ``start``/``end`` are UTC without fraction or ``Z`` (§5.6)."""

    id: int
    start: str
    end: str | None = None

    @property
    def is_shootout(self) -> bool:
        return self.id == SHOOTOUT_PERIOD


@dataclass
class MatchState:
    """Everything ``fixtureSummary`` reports; effects of actions change it in send order."""

    periods: list[PeriodState] = field(default_factory=list)
    current_period: int = 1
    status: str = "Scheduled"
    collection: str = "CollectingLive"
    home_in_possession: bool = True
    finished: bool = False
    # Counted goals by actionId: (scored for home, period). Deleting a goal removes it,
    # restoring it adds it back, so the score is always the sum of live goals.
    goals: dict[str, tuple[bool, int]] = field(default_factory=dict)
    shootout_home: int = 0
    shootout_away: int = 0

    def start_period(self, period: int, stamp: str) -> None:
        self.periods.append(PeriodState(period, stamp))
        self.current_period = period

    def end_period(self, stamp: str) -> None:
        self.periods[-1].end = stamp

    def count_goal(self, action_id: str, home: bool, period: int) -> None:
        self.goals[action_id] = (home, period)

    def uncount_goal(self, action_id: str) -> None:
        self.goals.pop(action_id, None)

    def score_shootout_kick(self, home: bool) -> None:
        if home:
            self.shootout_home += 1
        else:
            self.shootout_away += 1

    def score(self, *, up_to: int | None = None, only: int | None = None) -> tuple[int, int]:
        """Goals (home, away), all of them or only those up to / in one period."""
        home = away = 0
        for is_home, period in self.goals.values():
            if up_to is not None and period > up_to:
                continue
            if only is not None and period != only:
                continue
            if is_home:
                home += 1
            else:
                away += 1
        return home, away

    def period_payload(self, period: PeriodState) -> dict[str, Any]:
        if period.is_shootout:
            # The shootout's cumulative score carries the match result; its period
            # score counts the kicks scored (docs/dde-protocol.md §5.6).
            home, away = self.score()
            home_in, away_in = self.shootout_home, self.shootout_away
        else:
            home, away = self.score(up_to=period.id)
            home_in, away_in = self.score(only=period.id)
        return {
            "id": period.id,
            "label": PERIOD_LABELS[period.id],
            "type": "Shootout" if period.is_shootout else "Regular",
            "start": period.start,
            "end": period.end,
            "homeTeamScore": home,
            "awayTeamScore": away,
            "homeTeamPeriodScore": home_in,
            "awayTeamPeriodScore": away_in,
        }

    def snapshot(self, clock_text: str, clock_running: bool) -> dict[str, Any]:
        """A full ``fixtureSummary`` (§5.5), not a delta."""
        home, away = self.score()
        return {
            "homeTeamScore": home,
            "awayTeamScore": away,
            "isTied": home == away,
            "periods": [self.period_payload(period) for period in self.periods],
            "currentPeriod": self.current_period,
            "currentStatus": self.status,
            "collectionStatus": self.collection,
            "currentClockTime": clock_text,
            "currentClockState": "running" if clock_running else "stopped",
            # The vendor's wire spelling (docs/dde-protocol.md §5.5).
            "isHomeTeamInPossesion": self.home_in_possession,
            "finished": self.finished,
        }
