"""Commentary: one sentence per action a fan would want told, in the words of a live text
("Yellow card for Theo Ivanov (Stanmore Borough): dissent."). Routine actions (possession,
throw-ins, goal kicks, dangerous attacks, the clock, set-up) get none: the commentary view
folds them, and the paged log lists them (docs/live-protocol.md "The match page").

Names are the feed's, already cleaned and clipped at the parse boundary; the sentence is
text, escaped wherever it is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from streams.meaning.kinds import ActionKind
from streams.meaning.minutes import is_shootout

K = ActionKind
Action = Mapping[str, Any]

# The kinds drawn as a band across the timeline: kick-off, half-time, full time...
DIVIDER_KINDS: Final = frozenset({K.START_PERIOD, K.END_PERIOD, K.END_MATCH})

_PERIOD_STARTS: Final = {
    1: "Kick-off",
    2: "Second half under way",
    3: "Extra time under way",
    4: "Second half of extra time under way",
}
_PERIOD_ENDS: Final = {
    1: "Half-time",
    2: "End of normal time",
    3: "Half-time in extra time",
    4: "End of extra time",
}


def _player_and_team(action: Action) -> str:
    player, team = action.get("player_name") or "", action.get("team_name") or ""
    if player and team:
        return f"{player} ({team})"
    return player or team


def _with_detail(text: str, action: Action, joiner: str = ": ") -> str:
    detail = action.get("subtype_name") or ""
    return f"{text}{joiner}{detail[:1].lower()}{detail[1:]}." if detail else f"{text}."


def _for_whom(text: str, action: Action) -> str:
    who = _player_and_team(action)
    return _with_detail(f"{text} for {who}" if who else text, action)


def _to_team(text: str, action: Action) -> str:
    team = action.get("team_name") or ""
    return _with_detail(f"{text} to {team}" if team else text, action)


def _by(text: str, action: Action) -> str:
    who = _player_and_team(action)
    return _with_detail(f"{text} by {who}" if who else text, action)


def _goal(action: Action) -> str:
    team, player = action.get("team_name") or "", action.get("player_name") or ""
    parts = ", ".join(part for part in (team, player) if part)
    if not parts and not action.get("subtype_name"):
        return "Goal!"
    return _with_detail(f"Goal! {parts}" if parts else "Goal!", action, ", " if parts else " ")


def _substitution(going: str) -> Callable[[Action], str]:
    def sentence(action: Action) -> str:
        team, player = action.get("team_name") or "", action.get("player_name") or "A player"
        return f"Substitution{f' ({team})' if team else ''}: {player} {going}."

    return sentence


def _kick(action: Action, outcome: str) -> str:
    who = _player_and_team(action) or "A penalty taker"
    return f"{who} {({'scored': 'scores', 'missed': 'misses'}).get(outcome, 'takes a penalty')}."


def _period_start(action: Action) -> str:
    period = action.get("period")
    if period and is_shootout(period, action.get("clock_time")):
        return "Penalty shootout under way"
    return _PERIOD_STARTS.get(period or 0, "Play under way")


def _period_end(action: Action) -> str:
    period = action.get("period")
    if period and is_shootout(period, action.get("clock_time")):
        return "End of the shootout"
    return _PERIOD_ENDS.get(period or 0, "End of the period")


_SENTENCES: Final[Mapping[ActionKind, Callable[[Action], str]]] = {
    K.GOAL: _goal,
    K.PENALTY_AWARDED: lambda a: _to_team("Penalty", a),
    K.SHOT_ON_TARGET: lambda a: _by("Shot on target", a),
    K.SHOT_OFF_TARGET: lambda a: _by("Shot off target", a),
    K.CORNER: lambda a: _to_team("Corner", a),
    K.FREE_KICK: lambda a: _to_team("Free kick", a),
    K.FOUL: lambda a: _by("Foul", a),
    K.OFFSIDE: lambda a: _for_whom("Offside", a),
    K.YELLOW_CARD: lambda a: _for_whom("Yellow card", a),
    K.RED_CARD: lambda a: _for_whom("Red card", a),
    K.SUBSTITUTION_ON: _substitution("comes on"),
    K.SUBSTITUTION_OFF: _substitution("goes off"),
    K.POSSIBLE_VIDEO_CHECK: lambda a: _for_whom("Possible video check", a),
    K.VIDEO_CHECK_STARTED: lambda a: _with_detail("Video check under way", a),
    K.VIDEO_CHECK_OVER: lambda a: _with_detail("Video check over", a),
    K.GOAL_DISALLOWED: lambda a: _with_detail("Goal disallowed", a),
    K.TEMPORARY_DISMISSAL: lambda a: _for_whom("Sin bin", a),
    K.TEMPORARY_DISMISSAL_OVER: lambda a: _for_whom("Back from the sin bin", a),
    K.START_PERIOD: _period_start,
    K.END_PERIOD: _period_end,
    K.END_MATCH: lambda a: "Full time",
}

# Told in the commentary; every other kind is routine play, folded (static/streams/
# commentary.js counts them between the sentences).
TOLD_KINDS: Final = frozenset(_SENTENCES) | {K.SHOOTOUT_KICK}


def sentence(kind: ActionKind, action: Action, detail: str) -> str:
    """The action's commentary, or empty for routine play. ``detail``: a shootout kick's
    outcome (``scored`` or ``missed``)."""
    if kind is K.SHOOTOUT_KICK:
        return _kick(action, detail)
    told = _SENTENCES.get(kind)
    return told(action) if told else ""
