"""Nothing lost under faults: the checks on one fault campaign (see docs/reliability.md).

``campaign`` plays the matches through the real product with every fault kind injected;
each test below checks one property of what was recorded, for every match.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.faults.checks import FAULT_KINDS, Figures

pytestmark = pytest.mark.faults

Campaign = tuple[Figures, dict[str, Any]]


def test_at_least_ten_matches_each_took_a_hundred_faults_of_every_kind(campaign: Campaign) -> None:
    figures, data = campaign
    assert len(figures.matches) >= 10
    few = {m.fixture_id: m.fault_total for m in figures.matches if m.fault_total < 100}
    assert not few, f"matches with fewer than 100 faults: {few}"
    never = [kind for kind in FAULT_KINDS if not data["faults"][kind]]
    assert not never, f"fault kinds never injected: {never}"


def test_every_stored_log_equals_the_feeds_full_log(campaign: Campaign) -> None:
    figures, data = campaign
    assert data["integrity"]["packets_compared"] >= 700 * len(figures.matches)
    assert not figures.problems("log")


def test_every_action_and_fixture_summary_equal_a_replay_of_the_log_from_scratch(
    campaign: Campaign,
) -> None:
    figures, _ = campaign
    assert all(m.actions_compared > 100 for m in figures.matches)
    assert not figures.problems("replay")


def test_no_two_listeners_ever_stored_for_one_fixture_at_once(campaign: Campaign) -> None:
    figures, _ = campaign
    # Killed workers and restarts hand fixtures to new listeners: the check has work to do.
    assert sum(m.listeners for m in figures.matches) > len(figures.matches)
    assert not figures.problems("writers")


def test_every_viewer_saw_each_position_once_and_ended_like_a_fresh_page_load(
    campaign: Campaign,
) -> None:
    figures, data = campaign
    assert data["faults"]["viewer_disconnect"] > 0
    assert not figures.problems("viewers")


def test_resumes_stall_detection_and_takeovers_meet_their_targets(campaign: Campaign) -> None:
    figures, data = campaign
    timings = data["timings"]
    assert not figures.problems("timings")
    assert timings["resume_after_drop"]["n"] >= 100
    assert timings["resume_after_drop"]["p99"] <= 2.0
    assert timings["stall_detected"]["n"] >= 1
    assert timings["stall_detected"]["max"] <= 20.0
    kills = timings["followed_again_after_worker_kill"]
    assert kills["n"] >= 1
    tick = data["run"]["dispatch_interval_seconds"]
    assert kills["max"] <= tick + 2.0
