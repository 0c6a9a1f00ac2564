"""Cards, VAR checks without a change, substitutions, clock corrections and suspensions."""

from __future__ import annotations

from typing import Any

from streams.simulator import catalog as ct
from streams.simulator.play import Play, free_kick
from streams.simulator.review import video_review
from streams.simulator.script import Action, Effect, SendType
from streams.simulator.state import MatchState
from streams.simulator.teams import Player

_YELLOW_REASONS = (
    ct.YELLOW_FOUL,
    ct.YELLOW_FOUL,
    ct.YELLOW_FOUL,
    ct.YELLOW_DISSENT,
    ct.YELLOW_TIME_WASTING,
    ct.YELLOW_UNSPORTING,
)


def _card(
    play: Play,
    at: float,
    home: bool,
    offender: Player,
    type_id: int,
    sub_type: int,
    related: tuple[str, ...] = (),
) -> tuple[Action, float]:
    """A card: Pending naming the team, Confirmed with sub-type and player."""
    card = play.script.action(type_id, at, home=home, related=list(related))
    play.script.send(card, at, SendType.Pending)
    at = play.later(at, 5, 15)
    play.script.send(card, at, SendType.Confirmed, sub_type=sub_type, player=offender)
    return card, play.later(at, 3, 8)


def _booking(play: Play, at: float, home: bool, offender: Player) -> tuple[Action, float]:
    play.event(ct.FOUL, at, home)
    reason = play.script.rng.choice(_YELLOW_REASONS)
    card, at = _card(play, play.later(at, 3, 8), home, offender, ct.YELLOW_CARD, reason)
    play.booked.add(offender)
    return card, at


def yellow(play: Play, at: float, home: bool) -> float:
    _, at = _booking(play, at, home, play.player(home))
    return free_kick(play, at, not home)


def yellow_corrected(play: Play, at: float, home: bool) -> float:
    """Pending, Confirmed, then Updated naming the right player (mistaken identity)."""
    wrong = play.player(home)
    card, at = _booking(play, at, home, wrong)
    at = free_kick(play, at, not home)
    right = play.player(home)
    if right != wrong:
        play.booked.discard(wrong)
        play.booked.add(right)
    at = play.later(at, 10, 40)
    play.script.send(card, at, SendType.Updated, player=right)
    return play.later(at, 3, 10)


def card_upgrade(play: Play, at: float, home: bool) -> float:
    """A yellow card upgraded to a red one after VAR: same actionId, new type (§6)."""
    offender = play.player(home)
    card, at = _booking(play, at, home, offender)
    at = video_review(play, at, home, ct.VAR_POTENTIAL_RED_CARD, ct.VAR_DECISION_OVERTURNED)
    play.script.send(card, at, SendType.Updated, type_id=ct.RED_CARD, sub_type=ct.RED_STRAIGHT)
    play.send_off(home, offender)
    return free_kick(play, play.later(at, 10, 25), not home)


def second_yellow(play: Play, at: float, home: bool) -> float:
    booked = [player for player in play.on_pitch[home][1:] if player in play.booked]
    if not booked:
        return yellow(play, at, home)
    offender = play.script.rng.choice(booked)
    first, at = _booking(play, at, home, offender)
    # The red card links to the second booking that caused it.
    _, at = _card(play, at, home, offender, ct.RED_CARD, ct.RED_SECOND_YELLOW, (str(first.id),))
    play.send_off(home, offender)
    return free_kick(play, play.later(at, 3, 8), not home)


def straight_red(play: Play, at: float, home: bool) -> float:
    offender = play.player(home)
    play.event(ct.FOUL, at, home)
    _, at = _card(play, play.later(at, 3, 8), home, offender, ct.RED_CARD, ct.RED_STRAIGHT)
    play.send_off(home, offender)
    return free_kick(play, at, not home)


def var_check(play: Play, at: float, home: bool) -> float:
    """A review that changes nothing: the decision stands."""
    reason = play.script.rng.choice((ct.VAR_POTENTIAL_RED_CARD, ct.VAR_OTHER))
    at = video_review(play, at, home, reason, ct.VAR_DECISION_STANDS)
    return play.gain(at, play.possession)


def substitution(play: Play, at: float, home: bool, changes: int = 1) -> float:
    """Changes at a stoppage: Substitution Out, then In linking to it.

    Whoever came on stays on: a substitute taken off again is rare enough in real
    football (an injury) to leave out, and it keeps every change in docs/simulator.md.
    """
    play.event(ct.THROW_IN, at, home)
    at = play.later(at, 20, 40)
    rng = play.script.rng
    for _ in range(changes):
        squad = play.on_pitch[home]
        leavers = [player for player in squad[1:] if player not in play.came_on]
        if not play.bench[home] or not leavers:
            break
        leaving = rng.choice(leavers)
        joining = play.bench[home].pop(rng.randrange(len(play.bench[home])))
        out = play.script.confirmed(ct.SUBSTITUTION_OUT, at, home=home, player=leaving)
        at = play.later(at, 1, 4)
        play.script.confirmed(
            ct.SUBSTITUTION_IN, at, home=home, player=joining, related=[str(out.id)]
        )
        squad[squad.index(leaving)] = joining
        play.came_on.add(joining)
        at = play.later(at, 5, 20)
    return play.gain(at, home)


def adjust_clock(play: Play, at: float, home: bool) -> float:
    """The scorer corrects the clock by a few seconds."""
    delta = play.script.rng.choice((-4, -3, -2, -1, 1, 2, 3, 4))
    play.script.clock.adjust(at, delta)
    play.script.confirmed(ct.ADJUST_CLOCK, at, metadata={"adjustmentSeconds": delta})
    return play.later(at, 2, 6)


def status_effect(status: str, collection: str) -> Effect:
    def apply(state: MatchState, stamp: str) -> None:
        state.status, state.collection = status, collection

    return apply


def _status_metadata(fixture: int, collection: int, reason: str, code: int) -> dict[str, Any]:
    # Integer enums of docs/dde-protocol.md §8; coverage 3 is "Standard stream".
    return {
        "coverageLevel": 3,
        "fixtureStatus": fixture,
        "collectionStatus": collection,
        "collectionStatusReason": reason,
        "collectionStatusReasonCode": code,
        "fixtureStatusReasonCode": 0,
    }


def suspension(play: Play, at: float, home: bool) -> float:
    """Collection suspended (no signal) for a few minutes, then live again (§9)."""
    script = play.script
    saved_period, script.period = script.period, 0  # status updates are period 0
    script.confirmed(
        ct.STATUS_UPDATED,
        at,
        status_effect("Suspended", "CollectionSuspended"),
        timed=False,
        metadata=_status_metadata(6, 3, "no signal", 1),
    )
    at = play.later(at, 60, 240)
    script.confirmed(
        ct.STATUS_UPDATED,
        at,
        status_effect("Live", "CollectingLive"),
        timed=False,
        metadata=_status_metadata(1, 1, "signal restored", 0),
    )
    script.period = saved_period
    return play.later(at, 2, 6)
