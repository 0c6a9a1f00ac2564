"""Action kinds from wire names, and how each kind is drawn (streams/meaning/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from streams.meaning.drawing import CLOCK_KINDS, ICONS, KEY_KINDS, STATS_RULES, VIDEO_CHECK_KINDS
from streams.meaning.kinds import NAMES, ActionKind, fold, kind_from_name
from streams.simulator.catalog import ACTION_TYPES
from streams.simulator.catalog import ActionType as SimulatorType

K = ActionKind

# The names the vendor's own pages use (docs/dde-protocol.md §7.1 and §7.2), spelt and
# cased as the vendor writes them, and what each must mean. Written out here, not read
# from streams.meaning.kinds.NAMES: this table is what the code is checked against.
VENDOR_NAMES: dict[str, ActionKind] = {
    # §7.1, soccer packets
    "Team Colours": K.TEAM_COLOURS,
    "Start Period": K.START_PERIOD,
    "Status Updated": K.STATUS_UPDATE,
    "Video Check Started": K.VIDEO_CHECK_STARTED,
    "Video Check Underway": K.VIDEO_CHECK_STARTED,
    "Possible Video Check": K.POSSIBLE_VIDEO_CHECK,
    "Penalty Awarded": K.PENALTY_AWARDED,
    "Yellow Card": K.YELLOW_CARD,
    "Temporary Dismissal": K.TEMPORARY_DISMISSAL,
    "Temporary Dismissal Over": K.TEMPORARY_DISMISSAL_OVER,
    "Video Check Over": K.VIDEO_CHECK_OVER,
    # §7.2, the generic ids 1-15 shared across DDE sports
    "Match conditions": K.MATCH_CONDITIONS,
    "Team colours": K.TEAM_COLOURS,
    "Lineups": K.LINEUPS,
    "Start match": K.START_MATCH,
    "End match": K.END_MATCH,
    "Start period": K.START_PERIOD,
    "End period": K.END_PERIOD,
    "Start clock": K.START_CLOCK,
    "Stop clock": K.STOP_CLOCK,
    "Adjust clock": K.ADJUST_CLOCK,
    "Substitution In": K.SUBSTITUTION_ON,
    "Substitution Out": K.SUBSTITUTION_OFF,
    "Possession Gained": K.POSSESSION,
}

ICONS_HTML = Path(settings.BASE_DIR) / "templates" / "streams" / "icons.html"


@pytest.mark.parametrize(("name", "kind"), VENDOR_NAMES.items())
def test_a_vendor_documented_name_gives_its_kind(name: str, kind: ActionKind) -> None:
    assert kind_from_name(name) is kind


@pytest.mark.parametrize(
    "action_type", ACTION_TYPES.values(), ids=[t.name for t in ACTION_TYPES.values()]
)
def test_every_type_the_simulator_sends_has_a_kind_other_than_other(
    action_type: SimulatorType,
) -> None:
    assert kind_from_name(action_type.name) is not K.OTHER


def test_the_simulator_and_the_vendor_agree_on_the_kinds_of_the_ids_both_name() -> None:
    # catalog.py keeps the vendor's numbers for the ids the vendor documents: where one id
    # has a name in each, both names mean one kind.
    documented = {1: "Match conditions", 2: "Team colours", 3: "Lineups", 4: "Start match"}
    documented |= {5: "End match", 6: "Start period", 7: "End period", 8: "Start clock"}
    documented |= {9: "Stop clock", 10: "Adjust clock", 13: "Substitution In"}
    documented |= {14: "Substitution Out", 15: "Possession Gained", 22: "Status Updated"}
    documented |= {51: "Video Check Started", 64: "Possible Video Check"}
    documented |= {106: "Penalty Awarded", 107: "Yellow Card", 133: "Temporary Dismissal"}
    documented |= {134: "Temporary Dismissal Over"}

    for type_id, vendor_name in documented.items():
        simulator_name = ACTION_TYPES[type_id].name
        assert kind_from_name(simulator_name) is VENDOR_NAMES[vendor_name], simulator_name


def test_the_simulator_sends_no_two_types_of_one_kind() -> None:
    kinds = [kind_from_name(t.name) for t in ACTION_TYPES.values()]

    assert len(set(kinds)) == len(kinds)


def test_video_check_underway_is_the_2022_feed_s_video_check_started() -> None:
    assert kind_from_name("Video Check Underway") is kind_from_name("Video Check Started")


@pytest.mark.parametrize(
    ("variant", "name"),
    [
        ("THROW-IN", "Throw In"),
        ("throw in", "Throw In"),
        ("Throw_In", "Throw In"),
        (" Yellow  card ", "Yellow Card"),
        ("yellow-card", "Yellow Card"),
        ("VIDEO CHECK: OVER", "Video Check Over"),
        ("START_PERIOD", "Start Period"),
    ],
)
def test_case_spacing_and_punctuation_do_not_change_the_kind(variant: str, name: str) -> None:
    assert kind_from_name(variant) is kind_from_name(name)
    assert kind_from_name(variant) is not K.OTHER


@pytest.mark.parametrize("name", ["Bicycle Flick 1", "", None, "   ", "-", "Goal Scorer Feed"])
def test_a_name_nobody_listed_gives_other(name: str | None) -> None:
    assert kind_from_name(name) is K.OTHER


def test_a_name_is_not_matched_by_its_prefix_or_a_part_of_it() -> None:
    assert kind_from_name("Goals") is K.OTHER
    assert kind_from_name("Card") is K.OTHER
    assert kind_from_name("Video Check") is K.OTHER


def test_fold_ignores_case_spaces_and_punctuation_but_keeps_digits() -> None:
    assert fold("  Throw-In! ") == fold("THROW IN") == "throwin"
    assert fold("Half 2") != fold("Half 1")


@pytest.mark.parametrize("kind", [k for k in ActionKind if k is not K.OTHER])
def test_every_kind_but_other_is_given_by_a_name(kind: ActionKind) -> None:
    assert NAMES.get(kind), f"no wire name gives {kind}"
    assert all(kind_from_name(name) is kind for name in NAMES[kind])


def test_no_name_is_listed_for_two_kinds() -> None:
    owners: dict[str, set[ActionKind]] = {}
    for kind, names in NAMES.items():
        for name in names:
            owners.setdefault(fold(name), set()).add(kind)

    assert {name: kinds for name, kinds in owners.items() if len(kinds) > 1} == {}


def test_other_is_given_by_no_listed_name() -> None:
    assert K.OTHER not in NAMES


def test_every_kind_has_an_icon_drawn_in_the_icon_sheet() -> None:
    symbols = set(re.findall(r'<symbol id="i-([^"]+)"', ICONS_HTML.read_text(encoding="utf-8")))

    assert set(ICONS) == set(ActionKind)
    assert {kind: icon for kind, icon in ICONS.items() if icon not in symbols} == {}


def test_the_key_events_and_video_checks_are_real_kinds() -> None:
    assert set(ActionKind) >= KEY_KINDS
    assert VIDEO_CHECK_KINDS <= KEY_KINDS
    assert {K.GOAL, K.RED_CARD, K.GOAL_DISALLOWED} <= KEY_KINDS
    assert not {K.FOUL, K.THROW_IN, K.OTHER, K.STATUS_UPDATE} & KEY_KINDS


def test_the_stats_rules_and_clock_kinds_name_real_kinds() -> None:
    kinds = {kind.value for kind in ActionKind}
    counted = [kind for _, kind in STATS_RULES["counts"]]
    momentum = STATS_RULES["momentum"]
    others = [STATS_RULES["possession"], STATS_RULES["end_period"], momentum["goal"]]
    others += list(momentum["weights"])

    assert set(counted) | set(others) | set(CLOCK_KINDS.values()) <= kinds
    assert len(set(counted)) == len(counted)
    assert K.OTHER.value not in counted
    assert set(CLOCK_KINDS) == {"start", "stop", "adjust"}
