"""Generated matches: deterministic, shaped like vendor packets, with every documented lifecycle."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from typing import Any

from streams.simulator import Match, generate_match
from streams.simulator import catalog as ct

KICKOFF = dt.datetime(2025, 3, 8, 15, 0, tzinfo=dt.UTC)
SEND_TYPES = {"Pending": 1, "Updated": 2, "Cancelled": 3, "Deleted": 4, "Confirmed": 5}
WIRE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
PERIOD_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
CLOCK = re.compile(r"^\d{2,3}:[0-5]\d$")


def action(packet: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = packet["fixtureAction"]
    return result


def versions(match: Match) -> dict[str, list[dict[str, Any]]]:
    """Every packet's action, grouped by actionId in send order."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for packet in match.packets:
        grouped[action(packet)["actionId"]].append(action(packet))
    return grouped


def lifecycles(match: Match) -> set[tuple[str, ...]]:
    return {tuple(v["sendType"] for v in history) for history in versions(match).values()}


def test_the_same_id_kickoff_and_pace_give_byte_identical_packets() -> None:
    fixture_id = uuid.UUID("a777703c-3c72-4a09-ad3a-355a965067ad")
    first = generate_match(fixture_id, KICKOFF, 2.0)
    second = generate_match(fixture_id, KICKOFF, 2.0)
    assert first.frames == second.frames
    assert first.release_offsets == second.release_offsets
    assert (first.home, first.away) == (second.home, second.away)


def test_another_id_gives_another_match() -> None:
    first = generate_match(uuid.UUID(int=1), KICKOFF)
    second = generate_match(uuid.UUID(int=2), KICKOFF)
    assert first.frames != second.frames


def test_pace_compresses_release_times_but_not_the_match_clock() -> None:
    fixture_id = uuid.UUID(int=7)
    real_time = generate_match(fixture_id, KICKOFF, 1.0)
    fast = generate_match(fixture_id, KICKOFF, 10.0)
    clocks = [action(packet)["clockTime"] for packet in real_time.packets]
    assert clocks == [action(packet)["clockTime"] for packet in fast.packets]
    for slow_offset, fast_offset in zip(
        real_time.release_offsets, fast.release_offsets, strict=True
    ):
        assert abs(slow_offset / 10 - fast_offset) < 1e-5


def test_a_match_has_a_realistic_number_of_packets_numbered_from_one(
    sample_matches: list[Match],
) -> None:
    for match in sample_matches:
        assert 700 <= len(match.packets) <= 1200
        seqs = [action(packet)["fixtureSeqNum"] for packet in match.packets]
        assert seqs == list(range(1, len(match.packets) + 1))
        assert match.release_offsets == sorted(match.release_offsets)
        assert match.release_offsets[0] < 0 <= match.release_offsets[-1]


def test_only_the_last_packet_is_finished_and_it_ends_the_match(
    sample_matches: list[Match],
) -> None:
    for match in sample_matches:
        finished = [p["finished"] or p["fixtureSummary"]["finished"] for p in match.packets]
        assert finished == [False] * (len(finished) - 1) + [True]
        last = match.packets[-1]
        assert last["finished"] is True and last["fixtureSummary"]["finished"] is True
        assert action(last)["fixtureActionType"] == "End Match"
        assert last["fixtureSummary"]["currentStatus"] == "Completed"


def test_the_first_packet_gives_the_team_colours(sample_matches: list[Match]) -> None:
    for match in sample_matches:
        first = action(match.packets[0])
        assert first["fixtureSeqNum"] == 1
        assert (first["fixtureActionTypeId"], first["fixtureActionType"]) == (2, "Team Colours")
        assert first["period"] == 0 and first["clockTime"] == "00:00"
        assert first["metadata"] == {
            "HomeTeamColour": ", ".join(map(str, match.home.colour)),
            "AwayTeamColour": ", ".join(map(str, match.away.colour)),
        }
        assert re.fullmatch(r"\d{1,3}, \d{1,3}, \d{1,3}", first["metadata"]["HomeTeamColour"])


def test_every_packet_has_the_documented_shape(sample_matches: list[Match]) -> None:
    match = sample_matches[0]
    for packet, offset in zip(match.packets, match.release_offsets, strict=True):
        assert re.fullmatch(r"[0-9a-f]{32}", packet["traceId"])
        assert packet["version"] == 3
        item = action(packet)
        assert item["fixtureId"] == str(match.fixture_id)
        uuid.UUID(item["actionId"])
        assert SEND_TYPES[item["sendType"]] == item["sendTypeId"]
        assert ct.type_name(item["fixtureActionTypeId"]) == item["fixtureActionType"]
        if "fixtureActionSubTypeId" in item:
            assert item["fixtureActionSubTypeId"] // 100 == item["fixtureActionTypeId"]
            assert ct.sub_type_name(item["fixtureActionSubTypeId"]) == item["fixtureActionSubType"]
        assert CLOCK.match(item["clockTime"])
        assert WIRE_TIME.match(item["timestamp"])
        stamp = dt.datetime.strptime(item["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
        expected = match.kickoff + dt.timedelta(seconds=offset)
        assert stamp.replace(tzinfo=dt.UTC) == expected
        assert isinstance(item["relatedFixtureActionIds"], list)
        if "team" in item:
            assert set(item["team"]) == {"id", "name", "homeTeam"}
        if "player" in item:
            assert set(item["player"]) == {"id", "name"}


def test_the_summary_is_a_full_snapshot(sample_matches: list[Match]) -> None:
    keys = {
        "homeTeamScore",
        "awayTeamScore",
        "isTied",
        "periods",
        "currentPeriod",
        "currentStatus",
        "collectionStatus",
        "currentClockTime",
        "currentClockState",
        "isHomeTeamInPossesion",
        "finished",
    }
    for packet in sample_matches[1].packets:
        summary = packet["fixtureSummary"]
        assert set(summary) == keys
        assert summary["isTied"] == (summary["homeTeamScore"] == summary["awayTeamScore"])
        assert summary["currentClockState"] in ("running", "stopped")
        assert CLOCK.match(summary["currentClockTime"])
        for period in summary["periods"]:
            assert PERIOD_TIME.match(period["start"])
            assert period["end"] is None or PERIOD_TIME.match(period["end"])


def test_timeline_sequence_is_the_period_plus_an_increasing_fraction(
    sample_matches: list[Match],
) -> None:
    for match in sample_matches[:6]:
        values = [action(packet)["timelineSequence"] for packet in match.packets]
        assert len(set(values)) == len(values)
        by_period: dict[int, list[float]] = defaultdict(list)
        for packet in match.packets:
            item = action(packet)
            assert int(item["timelineSequence"]) == item["period"]
            by_period[item["period"]].append(item["timelineSequence"])
        for sequence in by_period.values():
            assert sequence == sorted(sequence)


def test_the_score_is_always_the_sum_of_confirmed_goals_not_deleted(
    sample_matches: list[Match],
) -> None:
    for match in sample_matches:
        latest: dict[str, dict[str, Any]] = {}
        for packet in match.packets:
            item = action(packet)
            latest[item["actionId"]] = item
            live_goals = [
                goal
                for goal in latest.values()
                if goal["fixtureActionTypeId"] == ct.GOAL
                and goal["sendType"] in ("Confirmed", "Updated")
            ]
            home = sum(goal["team"]["homeTeam"] for goal in live_goals)
            summary = packet["fixtureSummary"]
            assert (summary["homeTeamScore"], summary["awayTeamScore"]) == (
                home,
                len(live_goals) - home,
            )


def test_period_scores_are_cumulative_and_per_period(sample_matches: list[Match]) -> None:
    for match in sample_matches:
        summary = match.packets[-1]["fixtureSummary"]
        regular = [period for period in summary["periods"] if period["type"] == "Regular"]
        assert [period["label"] for period in regular] == ["1st half", "2nd half"]
        home = away = 0
        for period in regular:
            home += period["homeTeamPeriodScore"]
            away += period["awayTeamPeriodScore"]
            assert (period["homeTeamScore"], period["awayTeamScore"]) == (home, away)
        assert (home, away) == (summary["homeTeamScore"], summary["awayTeamScore"])


def test_every_documented_lifecycle_appears_across_a_few_matches(
    sample_matches: list[Match],
) -> None:
    seen: set[tuple[str, ...]] = set()
    for match in sample_matches[:6]:
        seen |= lifecycles(match)
    assert ("Pending", "Confirmed") in seen
    assert ("Pending", "Cancelled") in seen
    assert ("Pending", "Confirmed", "Updated") in seen
    assert ("Pending", "Confirmed", "Deleted") in seen
    assert ("Pending", "Confirmed", "Deleted", "Updated") in seen
    assert ("Confirmed",) in seen


def test_a_yellow_card_can_become_a_red_card_on_the_same_action(
    sample_matches: list[Match],
) -> None:
    match = next(match for match in sample_matches if match.has_card_upgrade)
    upgraded = [
        history
        for history in versions(match).values()
        if history[0]["fixtureActionTypeId"] == ct.YELLOW_CARD
        and history[-1]["fixtureActionTypeId"] == ct.RED_CARD
    ]
    assert upgraded
    history = upgraded[0]
    assert [v["sendType"] for v in history] == ["Pending", "Confirmed", "Updated"]
    assert history[-1]["fixtureActionSubType"] == "Straight Red"


def test_a_goal_disallowed_after_var_is_deleted_and_the_score_corrected(
    sample_matches: list[Match],
) -> None:
    match = next(match for match in sample_matches if match.has_disallowed_goal)
    packets = match.packets
    disallowed = next(
        i for i, p in enumerate(packets) if action(p)["fixtureActionTypeId"] == ct.GOAL_DISALLOWED
    )
    goal_id = action(packets[disallowed])["relatedFixtureActionIds"][0]
    deletion = next(
        i
        for i, p in enumerate(packets)
        if action(p)["actionId"] == goal_id and action(p)["sendType"] == "Deleted"
    )
    assert deletion > disallowed
    scored_home = action(packets[deletion])["team"]["homeTeam"]
    key = "homeTeamScore" if scored_home else "awayTeamScore"
    before, after = packets[deletion - 1]["fixtureSummary"], packets[deletion]["fixtureSummary"]
    assert after[key] == before[key] - 1
    confirmed = next(
        action(p)
        for p in packets
        if action(p)["actionId"] == goal_id and action(p)["sendTypeId"] == 5
    )
    # The deletion carries the goal's own clock time, not the time of deletion (§6).
    assert action(packets[deletion])["clockTime"] == confirmed["clockTime"]
    types = [action(p)["fixtureActionTypeId"] for p in packets[:disallowed]]
    assert types[-3:] == [ct.VIDEO_CHECK_UNDERWAY, ct.VIDEO_CHECK_UNDERWAY, ct.VIDEO_CHECK_OVER]


def test_var_reviews_follow_the_documented_order(sample_matches: list[Match]) -> None:
    match = sample_matches[0]
    types = [
        (
            action(p)["fixtureActionTypeId"],
            action(p)["sendTypeId"],
            action(p).get("fixtureActionSubTypeId"),
        )
        for p in match.packets
    ]
    starts = [i for i, (type_id, _, _) in enumerate(types) if type_id == ct.POSSIBLE_VIDEO_CHECK]
    assert starts
    for start in starts:
        check, pending, confirmed, over = types[start : start + 4]
        assert check[:2] == (64, 5)
        assert pending[:2] == (51, 1) and pending[2] is None
        assert confirmed[:2] == (51, 5) and confirmed[2] in (5101, 5102, 5103, 5104)
        assert over[:2] == (52, 5) and over[2] in (5201, 5202)


def test_documented_action_ids_are_used_as_documented(sample_matches: list[Match]) -> None:
    pairs: set[tuple[int, int | None]] = set()
    for match in sample_matches:
        for packet in match.packets:
            item = action(packet)
            pairs.add((item["fixtureActionTypeId"], item.get("fixtureActionSubTypeId")))
    type_ids = {type_id for type_id, _ in pairs}
    assert {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 22, 51, 52, 64, 106, 107} <= type_ids
    assert {100, 101, 102, 103, 104, 105, 108, 109, 110, 111, 112, 113, 114, 115} <= type_ids
    assert (51, 5104) in pairs and (106, 10601) in pairs
    assert type_ids <= set(ct.ACTION_TYPES)


def test_substitutions_pair_out_and_in(sample_matches: list[Match]) -> None:
    match = sample_matches[0]
    items = [action(packet) for packet in match.packets]
    outs = {
        item["actionId"] for item in items if item["fixtureActionTypeId"] == ct.SUBSTITUTION_OUT
    }
    ins = [item for item in items if item["fixtureActionTypeId"] == ct.SUBSTITUTION_IN]
    assert ins and len(ins) == len(outs)
    assert all(item["relatedFixtureActionIds"][0] in outs for item in ins)


def test_some_matches_go_to_a_penalty_shootout_after_a_level_score(
    sample_matches: list[Match],
) -> None:
    shootouts = [match for match in sample_matches if match.has_shootout]
    assert 0 < len(shootouts) < len(sample_matches)
    for match in shootouts:
        summary = match.packets[-1]["fixtureSummary"]
        assert summary["isTied"] and summary["currentPeriod"] == 3
        shootout = summary["periods"][-1]
        assert (shootout["id"], shootout["type"], shootout["label"]) == (
            3,
            "Shootout",
            "penalty shootout",
        )
        assert shootout["homeTeamScore"] == summary["homeTeamScore"]
        assert shootout["homeTeamPeriodScore"] != shootout["awayTeamPeriodScore"]
        start = next(action(p) for p in match.packets if action(p)["period"] == 3)
        assert start["fixtureActionType"] == "Start Period"


def test_some_matches_have_a_suspended_then_resumed_collection(
    sample_matches: list[Match],
) -> None:
    suspended = [match for match in sample_matches if match.has_suspension]
    assert 0 < len(suspended) < len(sample_matches)
    for match in suspended:
        updates = [
            p for p in match.packets if action(p)["fixtureActionTypeId"] == ct.STATUS_UPDATED
        ]
        assert len(updates) == 2
        for packet in updates:
            item = action(packet)
            assert (item["period"], item["sendType"]) == (0, "Confirmed")
            assert all(
                isinstance(item["metadata"][key], int)
                for key in (
                    "coverageLevel",
                    "fixtureStatus",
                    "collectionStatus",
                    "collectionStatusReasonCode",
                )
            )
        first, second = (packet["fixtureSummary"] for packet in updates)
        assert (first["currentStatus"], first["collectionStatus"]) == (
            "Suspended",
            "CollectionSuspended",
        )
        assert action(updates[0])["metadata"]["collectionStatus"] == 3
        assert (second["currentStatus"], second["collectionStatus"]) == ("Live", "CollectingLive")
    assert not any(
        p["fixtureSummary"]["currentStatus"] == "Suspended"
        for match in sample_matches
        if not match.has_suspension
        for p in match.packets
    )


def test_possession_is_reported_with_the_vendor_spelling(sample_matches: list[Match]) -> None:
    match = sample_matches[0]
    for packet in match.packets:
        item = action(packet)
        if item["fixtureActionTypeId"] == ct.POSSESSION_GAINED:
            assert packet["fixtureSummary"]["isHomeTeamInPossesion"] == item["team"]["homeTeam"]
