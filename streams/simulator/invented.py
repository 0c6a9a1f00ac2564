"""Action types nobody has seen (``--invent-types N``), sent now and then in every match.

The real feed will send types this project could not see (docs/dde-protocol.md §7.3);
these stand in for them, so a test can check the product shows a type by the name the
feed gives it. Each id keeps one name in every match and run, as a vendor's table would
(the product's catalogue learns a name per id); only the moments depend on the fixture.
"""

from __future__ import annotations

import random
import uuid
from typing import Final

from streams.simulator import catalog as ct
from streams.simulator.catalog import ActionType
from streams.simulator.numbering import INVENTED_TYPE_BASE
from streams.simulator.script import Action, Emission, Script, SendType

# fmt: off
_FIRST: Final = (
    "Ball", "Heel", "Rabona", "Chest", "Bicycle", "Scissor", "Knee", "Shoulder", "Toe",
    "Outside Foot", "Sole", "Thigh",
)
_SECOND: Final = (
    "Juggle", "Flick", "Trap", "Poke", "Spin", "Feint", "Nudge", "Roll", "Hook", "Stab",
    "Drag", "Lift",
)
# fmt: on
_NAMES_SEED: Final = 0x1DEA
_MOMENTS_SEED: Final = 0x1DEA5
_PER_TYPE: Final = (1, 3)  # actions of each invented type in one match


def invented_types(count: int) -> tuple[ActionType, ...]:
    """``count`` types, ids from 90000, names like "Ball Juggle 3"; a longer list starts
    with the shorter one, and the number makes every name new."""
    rng = random.Random(_NAMES_SEED)
    return tuple(
        ActionType(
            INVENTED_TYPE_BASE + index,
            f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {index + 1}",
            "invented",
        )
        for index in range(count)
    )


def _playing_windows(script: Script) -> list[tuple[int, float, float]]:
    """(period, from, to) while the clock runs in each half, from the script's clock actions."""
    starts: dict[int, float] = {}
    windows = []
    for emission in script.ordered():
        action = emission.action
        if action.period not in (1, 2):
            continue
        if action.type_id == ct.START_CLOCK:
            starts[action.period] = emission.at
        elif action.type_id == ct.STOP_CLOCK and action.period in starts:
            windows.append((action.period, starts[action.period], emission.at))
    return windows


def _suspended(script: Script) -> list[tuple[float, float]]:
    """While collection is suspended nothing is collected, so nothing invented is sent."""
    updates = [e.at for e in script.ordered() if e.action.type_id == ct.STATUS_UPDATED]
    return list(zip(updates[::2], updates[1::2], strict=False))


def add_invented_actions(
    script: Script, fixture_id: uuid.UUID, count: int, types: tuple[ActionType, ...] = ()
) -> None:
    """Append Confirmed actions of ``count`` invented types (and of ``types``, after them)
    at seeded moments of the halves.

    They come from their own random stream and change no state, so the rest of the match
    (every other action, the score, the counts) is the same as without them.
    """
    added = invented_types(count) + types
    if not added:
        return
    rng = random.Random(fixture_id.int ^ _MOMENTS_SEED)
    windows = _playing_windows(script)
    quiet = _suspended(script)
    for invented in added:
        for _ in range(rng.randint(*_PER_TYPE)):
            period, start, end = rng.choice(windows)
            at = rng.uniform(start, end)
            while any(low <= at <= high for low, high in quiet):
                at = rng.uniform(start, end)
            action = Action(
                uuid.UUID(int=rng.getrandbits(128), version=4),
                invented.id,
                period,
                script.clock.text(at),
                home=rng.random() < 0.5,
            )
            script.emissions.append(
                Emission(at, len(script.emissions), action, SendType.Confirmed, None)
            )
