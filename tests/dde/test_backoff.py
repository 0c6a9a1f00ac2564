"""Reconnect delays, checked without waiting for them."""

from __future__ import annotations

from typing import Any

import pytest

from streams.dde.backoff import Backoff


def delays(backoff: Backoff, count: int) -> list[float]:
    return [backoff.next_delay() for _ in range(count)]


def test_the_first_retry_comes_within_a_quarter_second_and_never_at_once() -> None:
    assert Backoff(rand=lambda: 0.0).next_delay() == 0.125
    assert Backoff(rand=lambda: 0.999999).next_delay() == pytest.approx(0.25, abs=1e-6)


def test_delays_double_with_half_of_each_jittered() -> None:
    assert delays(Backoff(rand=lambda: 0.5), 5) == [0.1875, 0.375, 0.75, 1.5, 3.0]
    assert delays(Backoff(rand=lambda: 0.0), 4) == [0.125, 0.25, 0.5, 1.0]


def test_delays_are_capped() -> None:
    steady = delays(Backoff(rand=lambda: 1.0), 200)
    assert max(steady) == 30.0 and steady[-1] == 30.0
    assert max(delays(Backoff(rand=lambda: 0.0, cap=5.0), 50)) == 2.5


def test_reset_starts_again_from_the_base_delay() -> None:
    backoff = Backoff(rand=lambda: 0.5)
    delays(backoff, 6)
    assert backoff.failures == 6
    backoff.reset()
    assert backoff.failures == 0
    assert backoff.next_delay() == 0.1875


def test_the_jitter_comes_from_the_injected_random_source() -> None:
    values = iter([0.0, 1.0, 0.5])
    assert delays(Backoff(rand=lambda: next(values)), 3) == [0.125, 0.5, 0.75]


async def test_sleeping_uses_the_injected_sleep_function() -> None:
    slept: list[float] = []

    async def sleep(delay: float) -> None:
        slept.append(delay)

    await Backoff(sleep=sleep).sleep(2.5)
    assert slept == [2.5]


@pytest.mark.parametrize("options", [{"base": 0}, {"factor": 0.5}, {"base": 2.0, "cap": 1.0}])
def test_nonsense_settings_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Backoff(**options)
