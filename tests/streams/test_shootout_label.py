"""The header of a finished match with a shootout names its winner; the same cases as
tests/js/summary.test.mjs, so the page rendered and the page updated live agree."""

from __future__ import annotations

from typing import Any

from streams.meaning.scoreline import Kick, period_label, shootout_tally
from streams.models import Fixture, FixtureStatus

FIRST_HALF = {"id": 1, "type": "Regular", "label": "1st half", "end": "2025-01-01T15:47:00Z"}


def finished(*periods: dict[str, Any], **fields: Any) -> Fixture:
    values = {"status": FixtureStatus.COMPLETED, "finished": True, **fields}
    teams = {"home_team": "Harbour Town", "away_team": "Elmstead FC"}
    return Fixture(periods=list(periods), **teams, **values)


def shootout(home: int | None, away: int | None) -> dict[str, Any]:
    return {"id": 3, "type": "Shootout", "home_period_score": home, "away_period_score": away}


def test_the_winner_and_the_tally_come_from_the_shootout_periods_score() -> None:
    assert period_label(finished(FIRST_HALF, shootout(4, 5))) == "Elmstead FC win 5–4 on penalties"
    assert period_label(finished(shootout(5, 3))) == "Harbour Town win 5–3 on penalties"


def test_the_kicks_are_counted_when_the_feed_gave_no_shootout_score() -> None:
    kicks: list[Kick] = [
        (True, "scored"), (False, "missed"), (True, "missed"),
        (False, "scored"), (True, "scored"), (False, ""),
    ]  # fmt: skip
    assert shootout_tally(finished(shootout(None, None)), kicks) == (2, 1)
    unscored = finished(shootout(None, None))
    assert period_label(unscored, kicks) == "Harbour Town win 2–1 on penalties"
    # The feed's score wins over the kicks known, which may be fewer than were taken.
    assert period_label(finished(shootout(3, 4)), kicks) == "Elmstead FC win 4–3 on penalties"


def test_without_a_winner_to_name_it_is_after_penalties_and_without_a_shootout_full_time() -> None:
    assert period_label(finished(shootout(None, None))) == "After penalties"
    assert period_label(finished(shootout(2, 2))) == "After penalties"
    assert period_label(finished(FIRST_HALF)) == "Full time"
    assert shootout_tally(finished(FIRST_HALF)) is None


def test_a_shootout_still_being_played_keeps_its_periods_label() -> None:
    playing = {**shootout(2, 1), "label": "penalty shootout"}
    live = finished(playing, status=FixtureStatus.LIVE, finished=False, current_period=3)
    assert period_label(live) == "Penalty shootout"
