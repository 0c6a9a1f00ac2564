"""Timeline rows from action payloads: words, state, removal reasons, read by kind."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest

from streams.meaning.timeline import Kinds, Timeline, describe
from streams.models import action_payload

HOME, AWAY = "team-home", "team-away"
_positions = itertools.count(1)

# Type ids for these tests: the simulator's numbers (docs/action-types.md), so that a
# renumbering below moves them the way a feed with other ids would.
GOAL, FOUL, GOAL_DISALLOWED, PENALTY = 100, 109, 111, 106
VIDEO_CHECK_UNDERWAY, VIDEO_CHECK_OVER, POSSIBLE_VIDEO_CHECK = 51, 52, 64
STATUS_UPDATED, YELLOW_CARD, RED_CARD, CORNER, START_CLOCK = 22, 107, 108, 103, 8

# What the catalogue would hold for them (docs/action-types.md, "kinds").
CATALOGUE = {
    GOAL: "goal",
    FOUL: "foul",
    GOAL_DISALLOWED: "goal_disallowed",
    PENALTY: "penalty_awarded",
    VIDEO_CHECK_UNDERWAY: "video_check_started",
    VIDEO_CHECK_OVER: "video_check_over",
    POSSIBLE_VIDEO_CHECK: "possible_video_check",
    STATUS_UPDATED: "status_update",
    YELLOW_CARD: "yellow_card",
    RED_CARD: "red_card",
    CORNER: "corner",
    START_CLOCK: "start_clock",
}


def action(
    type_name: str = "Goal",
    type_id: int | None = GOAL,
    *,
    position: int | None = None,
    last_position: int | None = None,
    action_id: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """An ``Action.to_payload()`` dict, as the ingest writer plans it: Confirmed in
    period 1 at 12:34, no team or player, unless ``fields`` say otherwise."""
    first = next(_positions) if position is None else position
    state: dict[str, Any] = {
        "type_id": type_id,
        "type_name": type_name,
        "subtype_id": None,
        "subtype_name": "",
        "send_type": "Confirmed",
        "send_type_id": 5,
        "period": 1,
        "clock_time": "12:34",
        "timestamp": None,
        "team_id": "",
        "team_name": "",
        "team_is_home": None,
        "player_id": "",
        "player_name": "",
        "metadata": {},
        "related_action_ids": [],
        "timeline_sequence": 1 + first * 1e-12,
        "fixture_seq_num": first,
        "removed": False,
        "restored": False,
        "delayed": False,
        "first_position": first,
        "last_position": first if last_position is None else last_position,
        **fields,
    }
    return action_payload(action_id or str(uuid.uuid4()), state)


def home(**fields: Any) -> dict[str, Any]:
    return {"team_id": HOME, "team_name": "Rovers", "team_is_home": True, **fields}


def away(**fields: Any) -> dict[str, Any]:
    return {"team_id": AWAY, "team_name": "United", "team_is_home": False, **fields}


def removed(send_type: str = "Deleted") -> dict[str, Any]:
    return {
        "removed": True,
        "send_type": send_type,
        "send_type_id": 4 if send_type == "Deleted" else 3,
    }


def row(payload: dict[str, Any], *context: dict[str, Any], kinds: Kinds | None = None) -> Any:
    """The row of one action, in a timeline of it and ``context``."""
    return Timeline([payload, *context], kinds or Kinds(CATALOGUE)).row(payload)


# Words


def test_the_title_is_the_type_name_and_the_sub_type_name() -> None:
    goal = action("Goal", subtype_id=10005, subtype_name="Header")

    assert row(goal)["title"] == "Goal · Header"


def test_the_title_is_the_type_name_alone_without_a_sub_type() -> None:
    assert row(action("Corner", CORNER))["title"] == "Corner"


def test_a_type_sent_without_a_name_is_titled_by_its_id() -> None:
    assert row(action("", 987))["title"] == "Action 987"
    assert row(action("", None))["title"] == "Action"


def test_who_is_the_player_and_their_team() -> None:
    goal = action(**home(player_name="Jo Bloggs"))

    assert row(goal)["who"] == "Jo Bloggs (Rovers)"


def test_who_is_the_team_alone_or_the_player_alone_or_nobody() -> None:
    assert row(action("Corner", CORNER, **home()))["who"] == "Rovers"
    assert row(action("Corner", CORNER, player_name="Jo Bloggs"))["who"] == "Jo Bloggs"
    assert row(action("Start Clock", START_CLOCK))["who"] == ""


def test_the_side_is_home_away_or_neutral() -> None:
    assert row(action(**home()))["side"] == "home"
    assert row(action(**away()))["side"] == "away"
    assert row(action("Start Clock", START_CLOCK))["side"] == "neutral"


def test_the_clock_is_shown_in_play_and_empty_in_period_zero() -> None:
    assert row(action(period=2, clock_time="67:05"))["clock"] == "67:05"
    assert row(action("Team Colours", 2, period=0, clock_time="00:00"))["clock"] == ""
    assert row(action(period=None, clock_time="00:00"))["clock"] == ""


def test_a_goal_is_a_key_event_and_a_foul_is_not() -> None:
    goal, foul = row(action("Goal", GOAL)), row(action("Foul", FOUL))

    assert (goal["key"], goal["kind"], goal["icon"]) == (True, "goal", "goal")
    assert (foul["key"], foul["kind"], foul["icon"]) == (False, "foul", "foul")


def test_a_delayed_action_is_flagged() -> None:
    assert row(action(delayed=True))["delayed"] is True
    assert row(action())["delayed"] is False


# States


def test_a_confirmed_action_has_no_note() -> None:
    assert (row(action())["state"], row(action())["note"]) == ("confirmed", "")


def test_a_pending_action_is_provisional() -> None:
    pending = row(action(send_type="Pending", send_type_id=1))

    assert (pending["state"], pending["note"]) == ("pending", "Provisional")


def test_an_updated_action_says_so() -> None:
    updated = row(action(send_type="Updated", send_type_id=2))

    assert (updated["state"], updated["note"]) == ("updated", "Updated")


def test_an_action_brought_back_after_a_removal_is_restored_not_updated() -> None:
    restored = row(action(send_type="Updated", send_type_id=2, restored=True))

    assert (restored["state"], restored["note"]) == ("restored", "Restored")


def test_a_send_type_nobody_documented_is_shown_by_its_name() -> None:
    amended = row(action(send_type="Amended", send_type_id=9))

    assert (amended["state"], amended["note"]) == ("confirmed", "Amended")


def test_a_send_type_sent_only_as_an_id_is_shown_by_its_id() -> None:
    assert row(action(send_type="", send_type_id=9))["note"] == "Send type 9"


# Status Updated


def test_a_status_update_says_what_happened_to_the_collection() -> None:
    status = action("Status Updated", STATUS_UPDATED, period=0, metadata={"collectionStatus": 3})

    assert row(status)["title"] == "Data collection suspended"


def test_a_status_update_says_what_the_coverage_now_is() -> None:
    status = action("Status Updated", STATUS_UPDATED, period=0, metadata={"coverageLevel": 3})

    assert row(status)["who"] == "Coverage now standard stream"


def test_a_status_update_gives_the_feed_s_reason_as_its_note() -> None:
    metadata = {"collectionStatus": 3, "collectionStatusReason": "no signal"}
    status = action("Status Updated", STATUS_UPDATED, period=0, metadata=metadata)

    assert row(status)["note"] == "no signal"


def test_a_status_update_without_a_known_status_keeps_its_name() -> None:
    status = action("Status Updated", STATUS_UPDATED, period=0, metadata={})

    assert (row(status)["title"], row(status)["who"]) == ("Status Updated", "")


# Removal reasons


def goal_removed_at(
    first: int, last: int, type_name: str = "Goal", type_id: int = GOAL, **fields: Any
) -> dict[str, Any]:
    """A home goal first stored at ``first`` and removed at ``last`` (Deleted)."""
    state = home(**{**removed(), **fields})
    return action(type_name, type_id, position=first, last_position=last, **state)


def disallowing(goal: dict[str, Any], position: int, **fields: Any) -> dict[str, Any]:
    """A home Goal Disallowed (Offside) pointing at ``goal``."""
    state = {
        "subtype_id": 11101,
        "subtype_name": "Offside",
        "related_action_ids": [goal["action_id"]],
        **fields,
    }
    return action("Goal Disallowed", GOAL_DISALLOWED, position=position, **home(**state))


def check(position: int, team: Any = home, **fields: Any) -> dict[str, Any]:
    return action("Video Check Underway", VIDEO_CHECK_UNDERWAY, position=position, **team(**fields))


def test_a_goal_disallowed_gives_the_reason_a_goal_was_removed() -> None:
    goal = goal_removed_at(10, 30)

    assert row(goal, disallowing(goal, 25))["note"] == "Disallowed (Offside)"
    assert row(goal, disallowing(goal, 25))["state"] == "removed"


def test_a_goal_disallowed_without_a_sub_type_just_says_disallowed() -> None:
    goal = goal_removed_at(10, 30)

    assert (
        row(goal, disallowing(goal, 25, subtype_id=None, subtype_name=""))["note"] == "Disallowed"
    )


def test_a_goal_disallowed_after_a_video_check_of_the_goal_s_team_says_so() -> None:
    goal = goal_removed_at(10, 30)

    note = row(goal, check(15), disallowing(goal, 25))["note"]

    assert note == "Disallowed (Offside) after a video check"


def test_a_video_check_of_the_other_team_does_not_count() -> None:
    goal = goal_removed_at(10, 30)

    assert row(goal, check(15, away), disallowing(goal, 25))["note"] == "Disallowed (Offside)"


def test_a_video_check_before_the_goal_or_after_its_removal_does_not_count() -> None:
    goal = goal_removed_at(10, 30)

    assert row(goal, check(5), check(35), disallowing(goal, 25))["note"] == "Disallowed (Offside)"


def test_a_goal_disallowed_names_a_goal_by_its_id_in_any_case() -> None:
    goal = goal_removed_at(10, 30)
    shouting = disallowing(goal, 25, related_action_ids=[goal["action_id"].upper()])

    assert row(goal, shouting)["note"] == "Disallowed (Offside)"


def test_a_removed_goal_disallowed_gives_no_reason() -> None:
    goal = goal_removed_at(10, 30)
    withdrawn = disallowing(goal, 25, **removed())

    assert row(goal, withdrawn)["note"] == "Deleted"


def test_a_video_check_over_that_overturned_the_decision_says_so() -> None:
    penalty = action("Penalty Awarded", PENALTY, position=10, last_position=30, **home(**removed()))
    over = action(
        "Video Check Over",
        VIDEO_CHECK_OVER,
        position=25,
        subtype_id=5202,
        subtype_name="Decision Overturned",
        **home(),
    )

    assert row(penalty, check(15), over)["note"] == "Overturned after a video check"


def test_a_video_check_over_where_the_decision_stood_overturns_nothing() -> None:
    penalty = action("Penalty Awarded", PENALTY, position=10, last_position=30, **home(**removed()))
    over = action(
        "Video Check Over",
        VIDEO_CHECK_OVER,
        position=25,
        subtype_id=5201,
        subtype_name="Decision Stands",
        **home(),
    )

    assert row(penalty, over)["note"] == "Deleted"


def test_a_live_action_pointing_at_a_removed_one_gives_its_type_name() -> None:
    yellow = action("Yellow Card", YELLOW_CARD, position=10, last_position=30, **away(**removed()))
    red = action("Red Card", RED_CARD, position=29, related_action_ids=[yellow["action_id"]])

    assert row(yellow, red)["note"] == "Red Card"


def test_without_anything_to_explain_it_a_removal_is_cancelled_or_deleted() -> None:
    assert (
        row(goal_removed_at(10, 30, send_type="Cancelled", send_type_id=3))["note"] == "Cancelled"
    )
    assert row(goal_removed_at(10, 30))["note"] == "Deleted"


def test_a_goal_disallowed_explains_the_goal_it_points_at() -> None:
    goal = goal_removed_at(10, 30)
    other_goal = goal_removed_at(11, 31)
    live_goal = action("Goal", GOAL, position=12)
    disallowed = disallowing(
        goal, 25, related_action_ids=[goal["action_id"], live_goal["action_id"]]
    )
    timeline = Timeline([goal, other_goal, live_goal, disallowed], Kinds(CATALOGUE))

    assert timeline.explained_by(disallowed) == [goal]


def test_a_video_check_explains_the_removals_of_its_team_around_it() -> None:
    goal = goal_removed_at(10, 30)
    away_goal = action("Goal", GOAL, position=11, last_position=31, **away(**removed()))
    earlier_goal = goal_removed_at(2, 8)
    the_check = check(15)
    timeline = Timeline([goal, away_goal, earlier_goal, the_check], Kinds(CATALOGUE))

    assert timeline.explained_by(the_check) == [goal]


def test_a_foul_explains_nothing() -> None:
    goal = goal_removed_at(10, 30)
    foul = action("Foul", FOUL, position=15, **home())

    assert Timeline([goal, foul], Kinds(CATALOGUE)).explained_by(foul) == []


def test_with_row_keeps_the_payload_and_adds_its_row() -> None:
    goal = action(**home(player_name="Jo Bloggs"))

    described = Timeline([goal], Kinds(CATALOGUE)).with_row(goal)

    assert {k: v for k, v in described.items() if k != "row"} == goal
    assert described["row"] == row(goal)


def test_describe_gives_every_action_its_row_in_the_order_given() -> None:
    goal = goal_removed_at(10, 30)
    disallowed = disallowing(goal, 25)

    described = describe([disallowed, goal], Kinds(CATALOGUE))

    assert [d["action_id"] for d in described] == [disallowed["action_id"], goal["action_id"]]
    assert described[1]["row"]["note"] == "Disallowed (Offside)"


# The rules read the kind, never the id


def match_story() -> list[dict[str, Any]]:
    """A few minutes of a match that exercise every rule that depends on a kind."""
    goal = goal_removed_at(10, 30, subtype_id=10001, subtype_name="Inside Box")
    penalty = action("Penalty Awarded", PENALTY, position=40, last_position=60, **away(**removed()))
    underway = check(15, subtype_id=5101, subtype_name="Goal")
    over = action(
        "Video Check Over",
        VIDEO_CHECK_OVER,
        position=50,
        subtype_id=5202,
        subtype_name="Decision Overturned",
        related_action_ids=[underway["action_id"]],
        **away(),
    )
    return [
        action(
            "Status Updated", STATUS_UPDATED, position=1, period=0, metadata={"coverageLevel": 2}
        ),
        action("Start Clock", START_CLOCK, position=2, clock_time="00:00"),
        action("Foul", FOUL, position=3, **away(player_name="A. Hacker")),
        action("Corner", CORNER, position=4, **home()),
        goal,
        action("Possible Video Check", POSSIBLE_VIDEO_CHECK, position=14),
        underway,
        disallowing(goal, 25),
        action("Yellow Card", YELLOW_CARD, position=35, send_type="Pending", **away()),
        penalty,
        action("Video Check Underway", VIDEO_CHECK_UNDERWAY, position=45, **away()),
        over,
        action("Goal", GOAL, position=70, subtype_id=10005, subtype_name="Header", **home()),
    ]


def renumbered(actions: list[dict[str, Any]], new_id: dict[int, int]) -> list[dict[str, Any]]:
    """The same actions with every type id (and sub-type id, typeId * 100 + n) moved."""
    moved = []
    for payload in actions:
        type_id, subtype_id = payload["type_id"], payload["subtype_id"]
        changes: dict[str, Any] = {"type_id": new_id[type_id]}
        if subtype_id is not None:
            changes["subtype_id"] = new_id[type_id] * 100 + subtype_id % 100
        moved.append({**payload, **changes})
    return moved


def rows(actions: list[dict[str, Any]], kinds: Kinds) -> list[Any]:
    return [described["row"] for described in describe([*actions], kinds)]


def test_the_story_s_rows_depend_on_its_kinds() -> None:
    # Not a vacuous comparison below: the story's rows are keyed, iconed and explained.
    story = rows(match_story(), Kinds(CATALOGUE))

    assert [r["key"] for r in story].count(True) == 9
    assert story[4]["note"] == "Disallowed (Offside) after a video check"
    assert story[9]["note"] == "Overturned after a video check"
    assert story[0]["who"] == "Coverage now low latency stream"


SHIFTED = {type_id: type_id + 1000 for type_id in CATALOGUE}
# Each id moved onto another's old number: an id-based rule would read the wrong meaning.
SWAPPED = dict(zip(sorted(CATALOGUE), sorted(CATALOGUE, reverse=True), strict=True))


@pytest.mark.parametrize("new_id", [SHIFTED, SWAPPED], ids=["shifted", "swapped"])
def test_renumbered_types_draw_the_same_rows_when_the_catalogue_follows(
    new_id: dict[int, int],
) -> None:
    kinds = Kinds({new_id[type_id]: kind for type_id, kind in CATALOGUE.items()})

    assert rows(renumbered(match_story(), new_id), kinds) == rows(match_story(), Kinds(CATALOGUE))


@pytest.mark.parametrize("new_id", [SHIFTED, SWAPPED], ids=["shifted", "swapped"])
def test_renumbered_types_draw_the_same_rows_from_their_names_alone(new_id: dict[int, int]) -> None:
    assert rows(renumbered(match_story(), new_id), Kinds()) == rows(match_story(), Kinds(CATALOGUE))


def test_the_catalogue_s_kinds_decide_when_the_names_mean_nothing() -> None:
    story = match_story()
    unnamed = [{**payload, "type_name": f"Type {payload['type_id']}"} for payload in story]

    without_titles = [
        {k: v for k, v in r.items() if k != "title"} for r in rows(unnamed, Kinds(CATALOGUE))
    ]

    assert without_titles == [
        {k: v for k, v in r.items() if k != "title"} for r in rows(story, Kinds(CATALOGUE))
    ]


def test_a_type_with_an_unknown_name_that_the_catalogue_calls_a_goal_is_a_key_goal() -> None:
    scored = action("Tor", 4711, **home())

    assert row(scored, kinds=Kinds())["key"] is False
    described = row(scored, kinds=Kinds({4711: "goal"}))
    assert (described["kind"], described["key"], described["icon"]) == ("goal", True, "goal")


def test_the_catalogue_s_kind_beats_what_the_name_says() -> None:
    not_a_goal = action("Goal", 4711, **home())

    described = row(not_a_goal, kinds=Kinds({4711: "other"}))

    assert (described["kind"], described["key"], described["icon"]) == ("other", False, "other")


def test_a_video_check_known_only_to_the_catalogue_still_explains_a_removal() -> None:
    goal = goal_removed_at(10, 30, type_name="Tor", type_id=4711)
    review = action("Videobeweis", 4712, position=15, **home())
    annulled = action(
        "Tor aberkannt", 4713, position=25, subtype_name="Abseits",
        related_action_ids=[goal["action_id"]], **home(),
    )  # fmt: skip
    kinds = Kinds({4711: "goal", 4712: "video_check_started", 4713: "goal_disallowed"})

    assert (
        row(goal, review, annulled, kinds=kinds)["note"]
        == "Disallowed (Abseits) after a video check"
    )
    assert row(goal, review, annulled, kinds=Kinds())["note"] == "Tor aberkannt"
