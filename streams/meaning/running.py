"""The running score: on each goal's row the score it made ("2–1"), on each half-time and
full-time band the score then. Counted over the whole timeline in order, so it is the
page's to compute (a live row alone cannot know it); static/streams/running.js is the
browser's twin, for what arrives live, and draws the same."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from streams.meaning.kinds import ActionKind

# The bands that show the score at their moment.
SCORE_BANDS: Final = frozenset({ActionKind.END_PERIOD.value, ActionKind.END_MATCH.value})


def running_scores(actions: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Action id -> the score to show on its row, for actions with rows in timeline order:
    goals that stand (not removed, with a side) count."""
    home = away = 0
    scores: dict[str, str] = {}
    for action in actions:
        kind = action["row"]["kind"]
        is_goal = kind == ActionKind.GOAL.value
        if is_goal and not action["removed"] and action["team_is_home"] is not None:
            home, away = (home + 1, away) if action["team_is_home"] else (home, away + 1)
            scores[str(action["action_id"])] = f"{home}–{away}"
        elif kind in SCORE_BANDS:
            scores[str(action["action_id"])] = f"{home}–{away}"
    return scores
