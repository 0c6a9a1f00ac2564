"""The VAR review sequence shared by goals, penalties and cards (docs/dde-protocol.md §10)."""

from __future__ import annotations

from streams.simulator import catalog as ct
from streams.simulator.play import Play
from streams.simulator.script import SendType


def video_review(play: Play, at: float, home: bool, reason: int, outcome: int) -> float:
    """Possible Video Check (Confirmed), Video Check Underway Pending then Confirmed with
    its reason, and Video Check Over with the outcome; returns the time after it."""
    script = play.script
    script.confirmed(ct.POSSIBLE_VIDEO_CHECK, at)
    at = play.later(at, 3, 8)
    check = script.action(ct.VIDEO_CHECK_UNDERWAY, at, home=home)
    script.send(check, at, SendType.Pending)
    at = play.later(at, 5, 15)
    script.send(check, at, SendType.Confirmed, sub_type=reason)
    at = play.later(at, 45, 150)
    script.confirmed(ct.VIDEO_CHECK_OVER, at, home=home, sub_type=outcome, related=[str(check.id)])
    return play.later(at, 2, 5)
