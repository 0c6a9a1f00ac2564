"""Goal and penalty incidents, with their Pending/Confirmed/Cancelled/Deleted lifecycles."""

from __future__ import annotations

from streams.simulator import catalog as ct
from streams.simulator.play import Play, free_kick
from streams.simulator.review import video_review
from streams.simulator.script import Action, Effect, SendType
from streams.simulator.state import MatchState


def count(goal: Action) -> Effect:
    home, period, key = bool(goal.home), goal.period, str(goal.id)

    def apply(state: MatchState, stamp: str) -> None:
        state.count_goal(key, home, period)

    return apply


def uncount(goal: Action) -> Effect:
    key = str(goal.id)

    def apply(state: MatchState, stamp: str) -> None:
        state.uncount_goal(key)

    return apply


def _goal(play: Play, at: float, home: bool, sub_type: int) -> tuple[Action, float]:
    """A goal: Pending without details, then Confirmed with sub-type and scorer."""
    script = play.script
    own_goal = sub_type == ct.GOAL_OWN_GOAL
    # An own goal counts for the team credited; the player is the opponent who scored it.
    scorer = play.player(not home) if own_goal else play.player(home)
    goal = script.action(ct.GOAL, at, home=home)
    script.send(goal, at, SendType.Pending)
    at = play.later(at, 4, 15)
    script.send(goal, at, SendType.Confirmed, count(goal), sub_type=sub_type, player=scorer)
    return goal, play.later(at, 3, 10)


def restart(play: Play, at: float, home: bool) -> float:
    """Kick-off by the team that conceded, after the celebrations."""
    at = play.later(at, 30, 70)
    play.event(ct.KICK_OFF, at, home)
    return play.gain(play.later(at, 1, 3), home)


def open_play_goal(play: Play, at: float, home: bool, *, own_goal: bool = False) -> float:
    play.event(ct.DANGEROUS_ATTACK, at, home, player=False)
    at = play.later(at, 4, 12)
    kinds = (ct.GOAL_INSIDE_BOX, ct.GOAL_INSIDE_BOX, ct.GOAL_HEADER, ct.GOAL_OUTSIDE_BOX)
    sub_type = ct.GOAL_OWN_GOAL if own_goal else play.script.rng.choice(kinds)
    _, at = _goal(play, at, home, sub_type)
    return restart(play, at, not home)


def restored_goal(play: Play, at: float, home: bool) -> float:
    """Confirmed, Deleted by the scorer, then brought back as Updated (§6)."""
    play.event(ct.DANGEROUS_ATTACK, at, home, player=False)
    goal, at = _goal(play, play.later(at, 4, 12), home, ct.GOAL_INSIDE_BOX)
    play.script.send(goal, at, SendType.Deleted, uncount(goal))
    at = play.later(at, 15, 45)
    play.script.send(goal, at, SendType.Updated, count(goal))
    return restart(play, at, not home)


def cancelled_goal(play: Play, at: float, home: bool) -> float:
    """A possible goal that was not one: Pending, then Cancelled."""
    play.event(ct.DANGEROUS_ATTACK, at, home, player=False)
    at = play.later(at, 4, 12)
    goal = play.script.action(ct.GOAL, at, home=home)
    play.script.send(goal, at, SendType.Pending)
    at = play.later(at, 3, 10)
    play.script.send(goal, at, SendType.Cancelled)
    at = play.later(at, 5, 15)
    play.event(ct.GOAL_KICK, at, not home, player=False)
    return play.gain(play.later(at, 3, 8), not home)


def disallowed_goal(play: Play, at: float, home: bool) -> float:
    """Confirmed, reviewed by VAR, disallowed, then Deleted with the score corrected."""
    play.event(ct.DANGEROUS_ATTACK, at, home, player=False)
    goal, at = _goal(play, play.later(at, 4, 12), home, ct.GOAL_INSIDE_BOX)
    at = video_review(play, at, home, ct.VAR_GOAL, ct.VAR_DECISION_OVERTURNED)
    reasons = (ct.DISALLOWED_OFFSIDE, ct.DISALLOWED_FOUL, ct.DISALLOWED_HANDBALL)
    play.script.confirmed(
        ct.GOAL_DISALLOWED,
        at,
        home=home,
        sub_type=play.script.rng.choice(reasons),
        related=[str(goal.id)],
    )
    at = play.later(at, 1, 4)
    play.script.send(goal, at, SendType.Deleted, uncount(goal))
    return free_kick(play, play.later(at, 10, 30), not home)


def _penalty(play: Play, at: float, home: bool) -> tuple[Action, float]:
    """A foul in the box and Penalty Awarded Pending; the caller decides what follows."""
    play.event(ct.FOUL, at, not home)
    at = play.later(at, 2, 6)
    penalty = play.script.action(ct.PENALTY_AWARDED, at, home=home, player=play.player(home))
    play.script.send(penalty, at, SendType.Pending)
    return penalty, play.later(at, 4, 12)


def _confirm_penalty(play: Play, penalty: Action, at: float) -> float:
    sub_type = play.script.rng.choice((ct.PENALTY_FOUL, ct.PENALTY_FOUL, ct.PENALTY_HANDBALL))
    play.script.send(penalty, at, SendType.Confirmed, sub_type=sub_type)
    return play.later(at, 50, 100)


def penalty_goal(play: Play, at: float, home: bool) -> float:
    penalty, at = _penalty(play, at, home)
    at = _confirm_penalty(play, penalty, at)
    _, at = _goal(play, at, home, ct.GOAL_PENALTY)
    return restart(play, at, not home)


def penalty_missed(play: Play, at: float, home: bool) -> float:
    penalty, at = _penalty(play, at, home)
    at = _confirm_penalty(play, penalty, at)
    if play.script.rng.random() < 0.6:
        play.event(ct.SHOT_ON_TARGET, at, home)
        return play.gain(play.later(at, 2, 6), not home)
    play.event(ct.SHOT_OFF_TARGET, at, home)
    at = play.later(at, 10, 20)
    play.event(ct.GOAL_KICK, at, not home, player=False)
    return play.gain(play.later(at, 3, 8), not home)


def penalty_cancelled(play: Play, at: float, home: bool) -> float:
    penalty, at = _penalty(play, at, home)
    play.script.send(penalty, at, SendType.Cancelled)
    return free_kick(play, play.later(at, 3, 10), not home)


def penalty_overturned(play: Play, at: float, home: bool) -> float:
    """Confirmed, then Deleted after VAR; the deletion keeps the original clockTime (§6)."""
    penalty, at = _penalty(play, at, home)
    play.script.send(penalty, at, SendType.Confirmed, sub_type=ct.PENALTY_FOUL)
    at = video_review(
        play, play.later(at, 10, 30), home, ct.VAR_PENALTY, ct.VAR_DECISION_OVERTURNED
    )
    play.script.send(penalty, at, SendType.Deleted)
    return free_kick(play, play.later(at, 10, 25), not home)
