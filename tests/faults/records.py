"""What a fault campaign is given and what it records, for the checks and the report."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from streams.simulator.journal import Entry
from tests.faults.viewers import Viewer

# Every fault the simulator injects, each at random positions; see docs/simulator.md.
WIRE_FAULTS = (
    "drop_random=22,drop_code=mix,stall=160:30,malformed=25,repeat=25,http503=6,"
    "reject_token_every=17:1.2"
)


@dataclass(frozen=True)
class CampaignConfig:
    matches: int = 10
    wave_size: int = 10
    pace: float = 80.0  # a match lasts about 100 s of wall time
    heartbeat: float = 0.5
    watchdog: float = 2.5
    dispatch_interval: float = 2.0
    auth_retry: float = 1.0
    viewers_per_match: int = 2  # that leave at random; and one steady viewer each
    viewer_stay: tuple[float, float] = (2.0, 8.0)
    duplicate_every: float = 3.0
    seed: int = 6

    @classmethod
    def from_env(cls, *, soak: bool) -> CampaignConfig:
        default = 50 if soak else 10
        matches = int(os.environ.get("FAULT_SOAK_MATCHES", default))
        return cls(
            matches=matches,
            wave_size=min(matches, int(os.environ.get("FAULT_WAVE_SIZE", 10))),
            pace=float(os.environ.get("FAULT_PACE", 80.0)),
            seed=int(os.environ.get("FAULT_SEED", 6)),
        )


@dataclass
class Recovery:
    """A process fault and, per fixture it took away from its listener, when it came back."""

    kind: str
    at: float
    back_at: float  # when the service was back (= at for a kill)
    lost: dict[str, float] = field(default_factory=dict)
    followed_again: dict[str, float] = field(default_factory=dict)


@dataclass
class MatchRecord:
    fixture_id: str
    wave: int
    expected: list[dict[str, Any]] = field(default_factory=list)
    stored: list[tuple[int, Any]] = field(default_factory=list)
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    fixture: dict[str, Any] = field(default_factory=dict)
    fixture_static: dict[str, Any] = field(default_factory=dict)
    writes: list[tuple[int, int | None, int | None, int, dt.datetime]] = field(default_factory=list)
    rejected_frames: int = 0
    reconnects: int = 0
    journal: list[Entry] = field(default_factory=list)
    viewers: list[Viewer] = field(default_factory=list)
    fresh_snapshot: dict[str, Any] = field(default_factory=dict)
    duplicate_dispatches: int = 0
    duplicates_refused: int = 0


@dataclass
class CampaignResult:
    config: CampaignConfig
    matches: list[MatchRecord]
    recoveries: list[Recovery]
    viewers_not_final: list[Viewer]
    wall_seconds: float
    wire_faults: str = WIRE_FAULTS
