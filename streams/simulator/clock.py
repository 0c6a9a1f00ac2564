"""The match clock as a function of wall time, built up as a match is generated."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


def format_clock(seconds: float) -> str:
    """``"MM:SS"``; minutes go past 59 (docs/dde-protocol.md §5.2, e.g. ``"91:51"``)."""
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


@dataclass
class MatchClock:
    """Piecewise clock: each segment starts at a wall time with a clock value, running or not.

    Segments are only appended in wall-time order, so reading the clock at any
    earlier time stays valid while later segments are added.
    """

    starts: list[float] = field(default_factory=lambda: [float("-inf")])
    values: list[float] = field(default_factory=lambda: [0.0])
    running: list[bool] = field(default_factory=lambda: [False])

    def set(self, at: float, value: float, *, running: bool) -> None:
        if at < self.starts[-1]:
            raise ValueError("clock segments must be added in time order")
        self.starts.append(at)
        self.values.append(value)
        self.running.append(running)

    def _segment(self, at: float) -> int:
        return bisect.bisect_right(self.starts, at) - 1

    def seconds(self, at: float) -> float:
        index = self._segment(at)
        if self.running[index]:
            return self.values[index] + (at - self.starts[index])
        return self.values[index]

    def is_running(self, at: float) -> bool:
        return self.running[self._segment(at)]

    def text(self, at: float) -> str:
        return format_clock(self.seconds(at))

    def start(self, at: float) -> None:
        self.set(at, self.seconds(at), running=True)

    def stop(self, at: float) -> None:
        self.set(at, self.seconds(at), running=False)

    def adjust(self, at: float, delta: float) -> None:
        self.set(at, self.seconds(at) + delta, running=self.is_running(at))
