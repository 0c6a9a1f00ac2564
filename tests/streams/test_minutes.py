"""Fan minutes from the feed's period and clock (streams/meaning/minutes.py)."""

from __future__ import annotations

import pytest

from streams.meaning.minutes import fan_minute, is_shootout


@pytest.mark.parametrize(
    ("period", "clock", "minute"),
    [
        (1, "00:00", "1'"),
        (1, "16:05", "17'"),
        (1, "44:59", "45'"),
        (1, "45:00", "45+1'"),
        (1, "46:30", "45+2'"),
        (2, "45:00", "46'"),
        (2, "89:59", "90'"),
        (2, "93:10", "90+4'"),
        (3, "90:00", "91'"),
        (3, "105:20", "105+1'"),
        (4, "105:00", "106'"),
        (4, "121:40", "120+2'"),
    ],
)
def test_minutes_read_as_fans_write_them(period: int, clock: str, minute: str) -> None:
    assert fan_minute(period, clock) == minute


@pytest.mark.parametrize(
    ("period", "clock"),
    [
        (0, "00:00"),
        (None, "12:00"),
        (1, ""),
        (1, None),
        (1, "12"),
        (1, "1:2:3"),
        (3, "02:10"),
        (5, "03:00"),
    ],
)
def test_no_minute_before_kick_off_in_a_shootout_or_for_a_clock_we_cannot_read(
    period: int | None, clock: str | None
) -> None:
    assert fan_minute(period, clock) == ""


def test_a_shootout_is_a_period_after_normal_time_whose_clock_starts_again() -> None:
    assert is_shootout(3, "01:00") and is_shootout(5, "95:00")
    assert not is_shootout(3, "95:00") and not is_shootout(2, "01:00")
