"""Parsing frames: the documented examples and every quirk of docs/dde-protocol.md §5 and §12."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from streams.dde.messages import (
    COLLECTION_STATUSES,
    FIXTURE_STATUSES,
    SEND_TYPES,
    ControlMessage,
    DataPacket,
    FrameRejected,
    ParsedPeriod,
    parse_frame,
)

# Copies of dde/scenarios/*.json from the protocol research, byte for byte.
SCENARIOS = Path(__file__).parent / "scenarios"
ACTION_ID = "eca0afa7-cac0-4064-b8f0-fc1aeae949a5"


def scenario_packets(complete: bool) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(SCENARIOS.glob("*.json")):
        for index, item in enumerate(json.loads(path.read_text())):
            if bool(item.get("_truncatedInSource")) != complete:
                found.append((f"{path.stem}[{index}]", item))
    return found


def data(frame: dict[str, Any] | str) -> DataPacket:
    parsed = parse_frame(frame if isinstance(frame, str) else json.dumps(frame))
    assert isinstance(parsed, DataPacket)
    return parsed


def minimal(**action: Any) -> dict[str, Any]:
    return {"fixtureAction": {"actionId": ACTION_ID, **action}}


def rejection(frame: str | bytes, **options: Any) -> str:
    with pytest.raises(FrameRejected) as rejected:
        parse_frame(frame, **options)
    return rejected.value.reason


COMPLETE = scenario_packets(complete=True)


def test_all_five_scenario_files_contribute_complete_packets() -> None:
    files = {name.split("[")[0] for name, _ in COMPLETE}
    assert len(list(SCENARIOS.glob("*.json"))) == 5
    assert len(files) == 4  # the REST example's only packet is cut off in the docs


@pytest.mark.parametrize(("name", "packet"), COMPLETE, ids=[n for n, _ in COMPLETE])
def test_every_complete_scenario_packet_parses(name: str, packet: dict[str, Any]) -> None:
    parsed = data(packet)
    action = packet["fixtureAction"]
    assert parsed.payload == packet
    assert parsed.key == (action["actionId"], action["fixtureSeqNum"])
    assert parsed.action.send_type == action["sendType"]
    assert parsed.action.type_id == action["fixtureActionTypeId"]
    assert parsed.summary is not None and parsed.summary.current_status == "Live"
    assert parsed.finished is False


@pytest.mark.parametrize(
    ("name", "packet"),
    scenario_packets(complete=False),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_cut_off_scenario_packets_with_an_action_id_still_parse(
    name: str, packet: dict[str, Any]
) -> None:
    if "fixtureAction" not in packet:
        assert isinstance(parse_frame(json.dumps(packet)), ControlMessage)
    else:
        assert data(packet).action.action_id == packet["fixtureAction"]["actionId"]


def test_the_shootout_example_parses_periods_scores_and_possession() -> None:
    packet = dict(COMPLETE)["penalty_shootout_start_v1[0]"]
    summary = data(packet).summary
    assert summary is not None
    assert summary.is_tied is True and summary.current_period == 3
    assert summary.home_in_possession is True and summary.collection_status is None
    assert summary.periods[2] == ParsedPeriod(
        id=3,
        label="penalty shootout",
        type="Shootout",
        start=dt.datetime(2023, 1, 18, 20, 4, 11, tzinfo=dt.UTC),
        end=None,
        home_score=0,
        away_score=0,
        home_period_score=0,
        away_period_score=0,
    )


def test_the_temporary_dismissal_example_parses_team_clock_and_lineage() -> None:
    packet = dict(COMPLETE)["temporary_dismissal[0]"]
    parsed = data(packet)
    action = parsed.action
    assert (action.team_id, action.team_name) == (
        "cf3d779a-4c59-461c-8b23-6e89294bdb6e",
        "Brisbane Roar U23",
    )
    assert action.team_is_home is True and action.related_action_ids == ()
    assert action.timestamp == dt.datetime(2024, 6, 2, 5, 11, 44, 241856, tzinfo=dt.UTC)
    assert action.clock_time == "21:41" and action.timeline_sequence == 1.000001301933206
    assert parsed.summary is not None
    assert parsed.summary.clock_state == "running"
    assert parsed.summary.collection_status == "CollectingLive"


def test_a_version_1_packet_without_newer_fields_parses_with_gaps() -> None:
    packet = dict(COMPLETE)["var_video_check_started_v1[0]"]
    parsed = data(packet)
    assert parsed.action.timeline_sequence is None
    assert parsed.action.team_is_home is None
    assert parsed.summary is not None and parsed.summary.collection_status is None


def test_numbers_sent_as_strings_are_read_as_numbers() -> None:
    packet = minimal(
        fixtureSeqNum="757",
        timelineSequence="1.0000000079878635",
        period=" 2 ",
        fixtureActionTypeId="106.0",
        sendTypeId="5",
    )
    packet["fixtureSummary"] = {"homeTeamScore": "3", "awayTeamScore": 1, "currentPeriod": "2"}
    parsed = data(packet)
    assert parsed.key == (ACTION_ID, 757)
    assert parsed.action.timeline_sequence == 1.0000000079878635
    assert (parsed.action.period, parsed.action.type_id) == (2, 106)
    assert parsed.summary is not None and parsed.summary.home_score == 3


@pytest.mark.parametrize(
    "junk",
    [True, "seven", "1_000", "nan", "1e999", [], {}, 1.5, "9" * 30, 2**64, 2**70, -(2**63) - 1],
)
def test_junk_in_a_number_field_becomes_none_without_rejecting_the_packet(junk: object) -> None:
    assert data(minimal(fixtureSeqNum=junk)).action.fixture_seq_num is None


def test_a_packet_keeps_its_text_as_received_to_be_stored_as_is() -> None:
    text = json.dumps(minimal(fixtureSeqNum=3, metadata={"wide": 2**70}), indent=1)
    parsed = parse_frame("\ufeff" + text)
    assert isinstance(parsed, DataPacket)
    assert parsed.text == text  # less the byte-order mark, which is not JSON
    assert json.loads(parsed.text)["fixtureAction"]["metadata"]["wide"] == 2**70


def test_the_payload_is_kept_exactly_as_received_and_unknown_keys_are_ignored() -> None:
    packet = minimal(fixtureSeqNum=3, somethingNew={"x": [1, 2]})
    packet.update(idx=65, websocket={"timestamp": 848.6, "id": "wss://x"}, seqNum=405)
    original = copy.deepcopy(packet)
    parsed = data(packet)
    assert parsed.payload == original
    assert parsed.key == (ACTION_ID, 3)


def test_field_order_does_not_matter() -> None:
    packet = dict(COMPLETE)["var_possible_video_check[0]"]
    reordered = dict(reversed(list(packet.items())))
    reordered["fixtureAction"] = dict(reversed(list(packet["fixtureAction"].items())))
    assert data(reordered).action == data(packet).action


def test_action_ids_are_canonical_lower_case_uuids() -> None:
    upper = data(minimal(actionId=ACTION_ID.upper()))
    bare = data(minimal(actionId=ACTION_ID.replace("-", "")))
    assert upper.action.action_id == bare.action.action_id == ACTION_ID


@pytest.mark.parametrize(
    ("send_type", "send_type_id", "name", "number"),
    [
        ("Confirmed", 5, "Confirmed", 5),
        ("DELETED", None, "Deleted", 4),
        (None, 3, "Cancelled", 3),
        ("restored", "6", "Restored", 6),
        ("Resurrected", None, "Resurrected", None),
        (None, 99, "", 99),
        (None, None, "", None),
    ],
)
def test_send_type_name_and_id_complete_each_other(
    send_type: str | None, send_type_id: object, name: str, number: int | None
) -> None:
    fields = {"sendType": send_type, "sendTypeId": send_type_id}
    action = data(minimal(**{k: v for k, v in fields.items() if v is not None})).action
    assert (action.send_type, action.send_type_id) == (name, number)


@pytest.mark.parametrize(
    ("send_type", "removes", "revives"),
    [
        ("Pending", False, False),
        ("Confirmed", False, False),
        ("Cancelled", True, False),
        ("Deleted", True, False),
        ("Updated", False, True),
        ("Restored", False, True),
    ],
)
def test_removals_and_revivals_follow_the_send_type(
    send_type: str, removes: bool, revives: bool
) -> None:
    action = data(minimal(sendType=send_type)).action
    assert (action.removes, action.revives) == (removes, revives)


@pytest.mark.parametrize(
    ("top", "summary", "finished"),
    [(None, None, False), (True, None, True), (False, True, True), (False, False, False)],
)
def test_either_finished_flag_finishes_the_feed(
    top: bool | None, summary: bool | None, finished: bool
) -> None:
    packet = minimal()
    if top is not None:
        packet["finished"] = top
    if summary is not None:
        packet["fixtureSummary"] = {"finished": summary}
    assert data(packet).finished is finished


def test_enum_names_are_canonical_in_any_case_and_ids_are_accepted() -> None:
    packet = minimal()
    packet["fixtureSummary"] = {"currentStatus": "LIVE", "collectionStatus": "collecting_live"}
    by_name = data(packet).summary
    packet["fixtureSummary"] = {"currentStatus": 6, "collectionStatus": "3"}
    by_id = data(packet).summary
    assert by_name is not None and by_id is not None
    assert (by_name.current_status, by_name.collection_status) == ("Live", "CollectingLive")
    assert (by_id.current_status, by_id.collection_status) == ("Suspended", "CollectionSuspended")


def test_unknown_enum_values_are_kept_not_dropped() -> None:
    packet = minimal()
    packet["fixtureSummary"] = {"currentStatus": "Interrupted", "collectionStatus": 42}
    summary = data(packet).summary
    assert summary is not None
    assert (summary.current_status, summary.collection_status) == ("Interrupted", "42")


def test_the_enumerations_match_the_protocol_tables() -> None:
    assert SEND_TYPES[4] == "Deleted" and len(SEND_TYPES) == 6
    assert FIXTURE_STATUSES[7] == "Unverified" and len(FIXTURE_STATUSES) == 8
    assert COLLECTION_STATUSES[4] == "CollectionDropped" and len(COLLECTION_STATUSES) == 7


@pytest.mark.parametrize("spelling", ["isHomeTeamInPossesion", "isHomeTeamInPossession"])
def test_possession_is_read_in_both_spellings(spelling: str) -> None:
    packet = minimal()
    packet["fixtureSummary"] = {spelling: False}
    summary = data(packet).summary
    assert summary is not None and summary.home_in_possession is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-10-17T15:44:07", dt.datetime(2023, 10, 17, 15, 44, 7, tzinfo=dt.UTC)),
        ("2023-10-17T15:44:07Z", dt.datetime(2023, 10, 17, 15, 44, 7, tzinfo=dt.UTC)),
        ("2023-10-17T15:44:07.5z", dt.datetime(2023, 10, 17, 15, 44, 7, 500000, tzinfo=dt.UTC)),
        ("2023-10-17T17:44:07+02:00", dt.datetime(2023, 10, 17, 15, 44, 7, tzinfo=dt.UTC)),
        ("yesterday", None),
        (None, None),
    ],
)
def test_period_times_without_zone_or_fraction_are_utc(
    text: str | None, expected: dt.datetime | None
) -> None:
    packet = minimal()
    packet["fixtureSummary"] = {"periods": [{"id": 1, "start": text}, "not a period"]}
    summary = data(packet).summary
    assert summary is not None and len(summary.periods) == 1
    assert summary.periods[0].start == expected


def test_metadata_is_kept_as_received() -> None:
    metadata = {"AwayTeamColour": "255, 0, 0", "HomeTeamColour": "5, 52, 13"}
    assert data(minimal(metadata=metadata)).action.metadata == metadata
    assert data(minimal(metadata="oops")).action.metadata == {}


def test_team_player_related_ids_and_delay_are_read() -> None:
    other = "bb01bc0a-eb30-4057-83eb-6cc564715679"
    action = data(
        minimal(
            team={"id": "CF3D779A-4C59-461C-8B23-6E89294BDB6E", "name": "Roar", "homeTeam": False},
            player={"id": 17, "name": "Kim"},
            relatedFixtureActionIds=[other.upper(), None, "legacy-id"],
            delayStatus="delayed",
        )
    ).action
    assert action.team_id == "cf3d779a-4c59-461c-8b23-6e89294bdb6e"
    assert action.team_is_home is False
    assert (action.player_id, action.player_name) == ("17", "Kim")
    assert action.related_action_ids == (other, "legacy-id")
    assert action.delayed is True
    assert data(minimal(delayStatus="ON_TIME")).action.delayed is False


def test_a_missing_summary_is_none() -> None:
    assert data(minimal()).summary is None
    assert data({**minimal(), "fixtureSummary": None}).summary is None


@pytest.mark.parametrize(
    ("frame", "message", "level", "heartbeat", "error"),
    [
        (
            {"message": "Heartbeat sent at 2024-01-01T00:00:00Z", "level": "INFO"},
            None,
            "INFO",
            True,
            False,
        ),
        ({"message": "heartbeat", "level": "info"}, None, "INFO", True, False),
        ({"eventElementType": "Heartbeat", "timestamp": "x"}, "", "", True, False),
        ({"message": "Authorisation accepted", "level": "INFO"}, None, "INFO", False, False),
        (
            {"message": "Authentication message had incorrect format", "level": "error"},
            None,
            "ERROR",
            False,
            True,
        ),
        ({"message": "Could not find fixture topic", "level": "WARN"}, None, "WARN", False, False),
        ({}, "", "", False, False),
    ],
)
def test_objects_without_fixture_action_are_control_messages(
    frame: dict[str, Any], message: str | None, level: str, heartbeat: bool, error: bool
) -> None:
    parsed = parse_frame(json.dumps(frame))
    assert isinstance(parsed, ControlMessage)
    assert parsed.payload == frame
    assert parsed.message == (frame.get("message", "") if message is None else message)
    assert (parsed.level, parsed.is_heartbeat, parsed.is_error) == (level, heartbeat, error)


def test_bytes_frames_are_parsed_as_utf8() -> None:
    frame = json.dumps(minimal(team={"name": "Nyköbing FC"}), ensure_ascii=False).encode()
    assert data_from_bytes(frame).action.team_name == "Nyköbing FC"
    assert data_from_bytes(b"\xef\xbb\xbf" + frame).action.team_name == "Nyköbing FC"


def data_from_bytes(frame: bytes) -> DataPacket:
    parsed = parse_frame(frame)
    assert isinstance(parsed, DataPacket)
    return parsed


def test_a_frame_over_the_limit_is_rejected_with_its_size() -> None:
    frame = json.dumps({"message": "x" * 100})
    assert (
        rejection(frame, max_bytes=50) == f"frame of {len(frame)} bytes exceeds the 50-byte limit"
    )
    big = "é" * 600_000  # 1.2 MB as UTF-8 although only 600,000 characters
    assert rejection(big) == "frame of 1200000 bytes exceeds the 1048576-byte limit"


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ("", "invalid JSON: Expecting value at char 0"),
        ("{", "invalid JSON: Expecting property name enclosed in double quotes at char 1"),
        ('{"a": NaN}', "invalid JSON: non-standard constant NaN"),
        ("[" * 100_000, "invalid JSON: nested too deeply"),
        ("1" * 5000, "invalid JSON: Exceeds the limit (4300 digits) for integer string conversion"),
        (b"\xff{}", "frame is not UTF-8: invalid start byte at byte 0"),
        ("\ud800", "frame is not UTF-8: surrogates not allowed at char 0"),
        ("[1, 2]", "JSON value is an array, not an object"),
        ('"text"', "JSON value is a string, not an object"),
        ("null", "JSON value is null, not an object"),
        ('{"fixtureAction": null}', "fixtureAction is null, not an object"),
        ('{"fixtureAction": [1]}', "fixtureAction is an array, not an object"),
        ('{"fixtureAction": {}}', "fixtureAction has no actionId"),
        (
            '{"fixtureAction": {"actionId": "goal-1"}}',
            "fixtureAction.actionId is not a UUID: 'goal-1'",
        ),
        ('{"fixtureAction": {"actionId": 7}}', "fixtureAction.actionId is not a UUID: 7"),
    ],
)
def test_unusable_frames_are_rejected_with_a_reason(frame: str | bytes, reason: str) -> None:
    assert rejection(frame) == reason


@pytest.mark.parametrize("escape", ["\\u0000", "\\ud83d", "\\ude00x"])
def test_what_jsonb_cannot_hold_is_left_out_of_the_json_it_gets_and_kept_in_the_text(
    escape: str,
) -> None:
    action = f'{{"actionId": "{uuid.UUID(int=1)}", "player": {{"name": "a{escape}b"}}}}'
    frame = f'{{"fixtureAction": {action}, "v{escape}": 1}}'

    parsed = parse_frame(frame)

    assert isinstance(parsed, DataPacket)
    assert parsed.text == frame
    assert "\\u0000" not in parsed.json_text and "\\ud8" not in parsed.json_text
    kept = json.loads(parsed.json_text)
    assert kept["fixtureAction"]["player"]["name"] in ("ab", "axb")
    assert parsed.action.player_name in ("ab", "axb")
    assert parsed.payload == kept


def test_a_frame_jsonb_can_hold_goes_to_it_as_received() -> None:
    frame = f'{{"fixtureAction": {{"actionId": "{uuid.UUID(int=1)}", "player": "\\u00e9"}}}}'

    parsed = parse_frame(frame)

    assert isinstance(parsed, DataPacket) and parsed.json_text is parsed.text


def test_escaped_surrogate_pairs_are_fine() -> None:
    parsed = parse_frame('{"message": "\\ud83d\\ude00 \\u00e9"}')
    assert isinstance(parsed, ControlMessage) and parsed.message == "😀 é"
