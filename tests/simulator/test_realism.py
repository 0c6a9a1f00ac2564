"""Generated matches stay within real top-flight counts per team, and substitute sensibly.

The counts are taken from the packets as a client sees them (wire names, the last
version of each action), not from the generator's own tally.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any

import pytest

from streams.simulator import Match, generate_match
from streams.simulator.realism import FIRST_HALF_SUBSTITUTIONS, PER_TEAM, Span

KICKOFF = dt.datetime(2025, 3, 8, 15, 0, tzinfo=dt.UTC)
NAMESPACE = uuid.UUID("b2a5d0e4-52f1-4c3b-9e0e-8d2f4a6c7b10")
MATCHES = 200

# Wire name -> the counts it adds to; a goal is a shot on target (not an own goal).
COUNTED = {
    "Foul": ("fouls",),
    "Offside": ("offsides",),
    "Corner": ("corners",),
    "Shot On Target": ("shots", "shots_on_target"),
    "Shot Off Target": ("shots",),
    "Goal": ("shots", "shots_on_target"),
    "Yellow Card": ("yellow_cards",),
    "Red Card": ("red_cards",),
    "Substitution In": ("substitutions",),
}


# Generating the 200 matches takes a while: every test that reads them is marked slow.
@pytest.fixture(scope="module")
def matches() -> list[Match]:
    ids = [uuid.uuid5(NAMESPACE, f"realism-{number}") for number in range(MATCHES)]
    return [generate_match(fixture_id, KICKOFF) for fixture_id in ids]


def standing(match: Match) -> list[dict[str, Any]]:
    """The last version of each action, unless it was cancelled or deleted."""
    last: dict[str, dict[str, Any]] = {}
    for packet in match.packets:
        last[packet["fixtureAction"]["actionId"]] = packet["fixtureAction"]
    return [item for item in last.values() if item["sendType"] not in ("Cancelled", "Deleted")]


def team_counts(match: Match) -> dict[bool, Counter[str]]:
    counts: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    for item in standing(match):
        if "team" not in item or item.get("fixtureActionSubType") == "Own Goal":
            continue
        counts[item["team"]["homeTeam"]].update(COUNTED.get(item["fixtureActionType"], ()))
    return counts


def clock_seconds(clock: str) -> int:
    minutes, seconds = clock.split(":")
    return int(minutes) * 60 + int(seconds)


def test_the_ranges_cover_every_counted_statistic() -> None:
    assert set(PER_TEAM) == {stat for stats in COUNTED.values() for stat in stats}
    assert PER_TEAM["fouls"] == Span(4, 22) and PER_TEAM["substitutions"] == Span(0, 5)


@pytest.mark.slow
def test_every_team_in_every_match_stays_within_the_realistic_ranges(
    matches: list[Match],
) -> None:
    outside = [
        f"{match.fixture_id} {'home' if home else 'away'} {stat} {counts[home][stat]}"
        for match in matches
        for counts in (team_counts(match),)
        for home in (True, False)
        for stat, span in PER_TEAM.items()
        if counts[home][stat] not in span
    ]
    assert outside == []


@pytest.mark.slow
def test_the_counts_vary_across_matches_rather_than_sitting_on_one_value(
    matches: list[Match],
) -> None:
    seen: dict[str, set[int]] = {stat: set() for stat in PER_TEAM}
    for match in matches:
        for counts in team_counts(match).values():
            for stat in PER_TEAM:
                seen[stat].add(counts[stat])
    assert all(len(values) >= 3 for values in seen.values()), seen


@pytest.mark.slow
def test_substitutions_come_after_half_time_but_for_one_injury_change_per_team(
    matches: list[Match],
) -> None:
    first_half_changes = 0
    for match in matches:
        early: Counter[bool] = Counter()
        for item in standing(match):
            if item["fixtureActionType"] not in ("Substitution In", "Substitution Out"):
                continue
            if item["period"] == 1:
                early[item["team"]["homeTeam"]] += item["fixtureActionType"] == "Substitution In"
            else:
                assert item["period"] == 2
                assert clock_seconds(item["clockTime"]) >= 45 * 60
        assert max(early.values(), default=0) <= FIRST_HALF_SUBSTITUTIONS, match.fixture_id
        first_half_changes += sum(early.values())
    # Injury changes happen, but rarely.
    assert 0 < first_half_changes < MATCHES


@pytest.mark.slow
def test_a_player_who_came_on_never_goes_off_and_only_starters_are_taken_off(
    matches: list[Match],
) -> None:
    for match in matches:
        starters = {str(player.id) for team in (match.home, match.away) for player in team.starters}
        came_on: set[str] = set()
        for packet in match.packets:
            item = packet["fixtureAction"]
            if item["fixtureActionType"] == "Substitution Out":
                assert item["player"]["id"] not in came_on, match.fixture_id
                assert item["player"]["id"] in starters
            elif item["fixtureActionType"] == "Substitution In":
                assert item["player"]["id"] not in starters | came_on
                came_on.add(item["player"]["id"])
