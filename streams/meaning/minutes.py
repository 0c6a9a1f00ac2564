"""Match minutes as fans write them: 17', 45+2', 90+4', 105+1'.

The feed's clock runs on from one period into the next (the second half starts at 45:00,
extra time at 90:00), so the period and the clock alone give the minute: the minute a
clock of 16:05 falls in is the 17th, and one past the end of its period is stoppage time,
written after the period's end with a plus. A shootout's clock starts again from zero,
and a kick has no minute.
"""

from __future__ import annotations

import re
from typing import Final

# Each period's last minute: two halves, two halves of extra time.
PERIOD_ENDS: Final = {1: 45, 2: 90, 3: 105, 4: 120}
# Extra time's clock starts at 90:00; a later period with an earlier clock is a shootout.
EXTRA_TIME_STARTS: Final = 90 * 60

_CLOCK = re.compile(r"(\d{1,3}):([0-5]\d)")


def clock_seconds(clock: str | None) -> int | None:
    """``"91:51"`` in seconds; None for anything else."""
    found = _CLOCK.fullmatch(clock or "")
    return int(found[1]) * 60 + int(found[2]) if found else None


def is_shootout(period: int | None, clock: str | None) -> bool:
    seconds = clock_seconds(clock)
    beyond_normal_time = period is not None and period >= 3
    return beyond_normal_time and (period not in PERIOD_ENDS or (seconds or 0) < EXTRA_TIME_STARTS)


def fan_minute(period: int | None, clock: str | None) -> str:
    """The minute of an action as fans write it; empty before kick-off (period 0), in a
    shootout and for a clock we cannot read."""
    seconds = clock_seconds(clock)
    if not period or seconds is None or is_shootout(period, clock):
        return ""
    minute = seconds // 60 + 1
    end = PERIOD_ENDS[period]
    return f"{end}+{minute - end}'" if minute > end else f"{minute}'"
