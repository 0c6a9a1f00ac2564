"""Commentary sentences and the running score (streams/meaning/commentary.py, running.py)."""

from __future__ import annotations

from typing import Any

import pytest

from streams.meaning.commentary import TOLD_KINDS, sentence
from streams.meaning.kinds import ActionKind as K
from streams.meaning.running import running_scores


def action(**fields: Any) -> dict[str, Any]:
    return {"player_name": "", "team_name": "", "subtype_name": "", "period": 1,
            "clock_time": "10:00", **fields}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "fields", "said"),
    [
        (K.YELLOW_CARD, {"player_name": "Theo Ivanov", "team_name": "Stanmore Borough",
                         "subtype_name": "Dissent"},
         "Yellow card for Theo Ivanov (Stanmore Borough): dissent."),
        (K.GOAL, {"player_name": "Tomas Reyes", "team_name": "Harbour Town",
                  "subtype_name": "Inside the box"},
         "Goal! Harbour Town, Tomas Reyes, inside the box."),
        (K.GOAL, {}, "Goal!"),
        (K.RED_CARD, {"team_name": "Harbour Town"}, "Red card for Harbour Town."),
        (K.SUBSTITUTION_ON, {"player_name": "Ada Obi", "team_name": "Oakham"},
         "Substitution (Oakham): Ada Obi comes on."),
        (K.CORNER, {"team_name": "Oakham"}, "Corner to Oakham."),
        (K.START_PERIOD, {"period": 1, "clock_time": "00:00"}, "Kick-off"),
        (K.START_PERIOD, {"period": 3, "clock_time": "90:00"}, "Extra time under way"),
        (K.START_PERIOD, {"period": 3, "clock_time": "00:00"}, "Penalty shootout under way"),
        (K.END_PERIOD, {"period": 1, "clock_time": "47:00"}, "Half-time"),
        (K.END_MATCH, {"period": 2}, "Full time"),
        (K.POSSESSION, {"team_name": "Oakham"}, ""),
        (K.DANGEROUS_ATTACK, {"team_name": "Oakham"}, ""),
        (K.OTHER, {}, ""),
    ],
)  # fmt: skip
def test_a_sentence_per_told_action_and_none_for_routine_play(
    kind: K, fields: dict[str, Any], said: str
) -> None:
    assert sentence(kind, action(**fields), "") == said
    assert (kind in TOLD_KINDS) == bool(said)


def test_a_shootout_kick_says_how_it_went() -> None:
    kick = action(player_name="Ada Obi", team_name="Oakham", period=3, clock_time="01:00")
    assert sentence(K.SHOOTOUT_KICK, kick, "scored") == "Ada Obi (Oakham) scores."
    assert sentence(K.SHOOTOUT_KICK, kick, "missed") == "Ada Obi (Oakham) misses."
    assert sentence(K.SHOOTOUT_KICK, kick, "") == "Ada Obi (Oakham) takes a penalty."


def test_feed_text_is_kept_as_text() -> None:
    said = sentence(K.FOUL, action(player_name="<b>x</b>", team_name="=1+1"), "")
    assert said == "Foul by <b>x</b> (=1+1)."  # escaped where drawn, never interpreted here


def test_the_running_score_counts_goals_that_stand_in_timeline_order() -> None:
    def row(action_id: str, kind: K, home: bool | None = None, removed: bool = False) -> Any:
        return {"action_id": action_id, "row": {"kind": kind.value}, "team_is_home": home,
                "removed": removed}  # fmt: skip

    actions = [
        row("kick-off", K.START_PERIOD),
        row("g1", K.GOAL, True),
        row("ht", K.END_PERIOD),
        row("g2", K.GOAL, False),
        row("disallowed", K.GOAL, True, removed=True),
        row("no-side", K.GOAL),
        row("g3", K.GOAL, True),
        row("ft", K.END_MATCH),
    ]
    assert running_scores(actions) == {
        "g1": "1–0", "ht": "1–0", "g2": "1–1", "g3": "2–1", "ft": "2–1",
    }  # fmt: skip
