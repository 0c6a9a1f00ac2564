"""Hostile text at the parse boundary: names, labels, ids and metadata cleaned and clipped,
frames Postgres could not store refused with a reason (docs/dde-protocol.md "What we accept")."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.db import connection, transaction

from streams.dde import bounds
from streams.dde.bounds import (
    CLOCK_CHARS,
    ELLIPSIS,
    FIXTURE_NAME_CHARS,
    ID_CHARS,
    LABEL_CHARS,
    MESSAGE_CHARS,
    METADATA_CHARS,
    METADATA_DEPTH,
    METADATA_ENTRIES,
    METADATA_KEY_CHARS,
    METADATA_TEXT_CHARS,
    METADATA_VALUES,
    NAME_CHARS,
    PERIODS,
    RELATED_IDS,
    bounded_metadata,
    clean,
    clip,
    is_clean,
)
from streams.dde.messages import (
    ControlMessage,
    DataPacket,
    FrameRejected,
    numeric_fits,
    parse_frame,
)
from streams.dde.rest import parse_fixture
from streams.dde.values import as_datetime
from tests.support.bounds import assert_within_metadata_bounds, count_values

ACTION_ID = "eca0afa7-cac0-4064-b8f0-fc1aeae949a5"
FIXTURE_ID = "a777703c-3c72-4a09-ad3a-355a965067ad"
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
BIDI += ["\u200e", "\u200f", "\u061c"]
LONG = "<script>alert(1)</script>" + "W" * 200_000


def packet(**action: Any) -> DataPacket:
    parsed = parse_frame(json.dumps({"fixtureAction": {"actionId": ACTION_ID, **action}}))
    assert isinstance(parsed, DataPacket)
    return parsed


@pytest.mark.parametrize("control", BIDI)
def test_every_bidirectional_control_is_removed(control: str) -> None:
    assert clean(f"Kingsport{control} Rovers{control}") == "Kingsport Rovers"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Nul\x00Town", "NulTown"),
        ("Bell\x07 Escape\x1b[31m", "Bell Escape[31m"),
        ("Line\nbreak\r\nand\ttab", "Line break and tab"),
        ("  runs   of \u00a0 blanks  ", "runs of blanks"),
        ("C1\x85next\x9bline\u2028\u2029end", "C1 nextline end"),
        ("lone \ud800surrogate", "lone surrogate"),
        ("DEL\x7f", "DEL"),
        ("Tomás Ødegård 😀 موسى", "Tomás Ødegård 😀 موسى"),  # letters of any script stay
        ("\u202e\u2066", ""),
    ],
)
def test_cleaning_keeps_one_line_of_printable_text(sent: str, kept: str) -> None:
    assert clean(sent) == kept
    assert clean(kept) == kept and is_clean(kept, 100)


def test_a_clipped_text_ends_with_an_ellipsis_within_its_limit() -> None:
    clipped = clip(LONG, NAME_CHARS)
    assert len(clipped) == NAME_CHARS and clipped.endswith(ELLIPSIS)
    assert clipped.startswith("<script>alert(1)</script>WWW")  # markup is the page's to escape
    assert clip("short", NAME_CHARS) == "short"
    assert clip("x" * NAME_CHARS, NAME_CHARS) == "x" * NAME_CHARS


def test_names_and_labels_of_a_packet_are_clipped_and_cleaned() -> None:
    parsed = packet(
        fixtureActionType=LONG,
        fixtureActionSubType='=HYPERLINK("https://attacker.example","x")\u202e',
        team={"id": "t" * 500, "name": f"\u202eHome\u202c{LONG}", "homeTeam": True},
        player={"id": ACTION_ID, "name": "Nul\\u0000 is not here, bidi is\u2066\u2069"},
        clockTime="12:34" + "9" * 100,
        sendType="Sent " * 100,
        fixtureSeqNum=1,
        relatedFixtureActionIds=[ACTION_ID] * 10_000,
    )
    action = parsed.action
    assert len(action.type_name) == NAME_CHARS and action.type_name.endswith(ELLIPSIS)
    assert action.subtype_name == '=HYPERLINK("https://attacker.example","x")'
    assert action.team_name.startswith("Home<script>alert(1)</script>WWW")
    assert len(action.team_name) == NAME_CHARS
    assert action.team_id == "t" * (ID_CHARS - 1) + ELLIPSIS
    assert action.player_name == "Nul\\u0000 is not here, bidi is"
    assert action.clock_time is not None and len(action.clock_time) == CLOCK_CHARS
    assert len(action.send_type) <= LABEL_CHARS
    assert len(action.related_action_ids) == RELATED_IDS
    # The stored packet keeps the frame as received.
    assert json.loads(parsed.text)["fixtureAction"]["fixtureActionType"] == LONG


def test_summary_texts_and_periods_are_bounded() -> None:
    period = {"id": 1, "label": "\u202e" + "L" * 100, "type": "T\x07" * 100}
    parsed = parse_frame(
        json.dumps(
            {
                "fixtureAction": {"actionId": ACTION_ID},
                "fixtureSummary": {
                    "currentStatus": "Live" * 100,
                    "collectionStatus": "\u2066Odd status\u2069",
                    "currentClockTime": "9" * 50,
                    "currentClockState": "RUNNING\n" * 40,
                    "periods": [period] * 100,
                },
            }
        )
    )
    assert isinstance(parsed, DataPacket) and parsed.summary is not None
    summary = parsed.summary
    assert summary.current_status is not None and len(summary.current_status) == LABEL_CHARS
    assert summary.collection_status == "Odd status"
    assert summary.clock_time is not None and len(summary.clock_time) == CLOCK_CHARS
    assert summary.clock_state is not None and len(summary.clock_state) <= LABEL_CHARS
    assert len(summary.periods) == PERIODS
    assert all(
        is_clean(p.label, LABEL_CHARS) and is_clean(p.type, LABEL_CHARS) for p in summary.periods
    )


def test_a_control_message_is_clipped_before_anyone_logs_it() -> None:
    parsed = parse_frame(json.dumps({"message": "Heartbeat\n" + LONG, "level": "info\x1b" * 50}))
    assert isinstance(parsed, ControlMessage)
    assert len(parsed.message) == MESSAGE_CHARS and parsed.is_heartbeat
    assert len(parsed.level) <= LABEL_CHARS and parsed.level.startswith("INFO")


def test_ordinary_metadata_is_kept_as_sent() -> None:
    lineup = {
        "players": [
            {"id": f"{n:08d}-0000-4000-8000-000000000000", "name": f"Player {n}", "shirt": n}
            for n in range(40)
        ]
    }
    for metadata in (
        {"HomeTeamColour": "5, 52, 13", "AwayTeamColour": "255, 0, 0"},
        {"coverageLevel": 3, "fixtureStatus": 6, "collectionStatusReason": "no signal"},
        {"adjustmentSeconds": -30, "ok": True, "none": None, "ratio": 0.5, "wide": 2**70},
        lineup,
    ):
        assert bounded_metadata(metadata) == metadata


def test_metadata_is_bounded_in_depth_width_and_size() -> None:
    deep: dict[str, Any] = {"bottom": 1}
    for _ in range(50):
        deep = {"deeper": deep}
    bounded = bounded_metadata(
        {
            "weather": LONG,
            "\u202ekey" + "k" * 100: "v",
            "deep": deep,
            "wide": list(range(10_000)),
            "many": {f"k{n}": n for n in range(10_000)},
            "huge": 10**4000,
            "words": ["w" * 1000] * 100,
        }
    )
    assert len(bounded["weather"]) == METADATA_TEXT_CHARS
    (key,) = [k for k in bounded if k.startswith("key")]
    assert len(key) == METADATA_KEY_CHARS
    depth, level = 1, bounded["deep"]
    while isinstance(level, dict) and "deeper" in level:
        depth, level = depth + 1, level["deeper"]
    assert depth == METADATA_DEPTH - 1  # the root object is the first level
    assert len(bounded["wide"]) == METADATA_ENTRIES and len(bounded["many"]) == METADATA_ENTRIES
    assert bounded["huge"] is None
    assert_within_metadata_bounds(bounded)
    assert bounded_metadata([1, 2]) == {} and bounded_metadata("text") == {}


def test_the_metadata_budget_counts_every_value() -> None:
    # 100 arrays of 100 numbers: 10,100 values offered, METADATA_VALUES kept.
    bounded = bounded_metadata({f"a{n}": list(range(100)) for n in range(100)})
    assert_within_metadata_bounds(bounded)
    assert 0 < count_values(bounded) <= METADATA_VALUES + 1  # the root is not counted
    texts = bounded_metadata({f"t{n}": "x" * 300 for n in range(100)})
    assert sum(len(k) + len(v) for k, v in texts.items()) <= METADATA_CHARS
    assert len(texts) < 100


def number_frame(literal: str) -> str:
    return (
        '{"fixtureAction": {"actionId": "' + ACTION_ID + '", "metadata": {"n": ' + literal + "}}}"
    )


@pytest.mark.parametrize(
    "literal",
    ["1e200000", "1e-20000", "-1E+131072", "15e131071", "1.5e-16383", "100e-16385",
     "0e-16384", "0e1073741823", "0." + "0" * 16384, "1" * 131073 + ".5"],
)  # fmt: skip
def test_numbers_postgres_cannot_store_are_refused_with_a_reason(literal: str) -> None:
    frame = number_frame(literal)
    with pytest.raises(FrameRejected, match="is beyond what Postgres can store"):
        parse_frame(frame)


@pytest.mark.parametrize(
    "literal", ["1e131071", "1.5e-16382", "0e1073741822", "0.1e131072", "1e400", "12345e-5"]
)
def test_numbers_postgres_stores_are_accepted(literal: str) -> None:
    frame = number_frame(literal)
    assert isinstance(parse_frame(frame), DataPacket)


def test_a_string_that_only_looks_like_a_huge_number_is_fine() -> None:
    parsed = packet(player={"name": "e99999 " + "9" * 2000})
    assert parsed.action.player_name.startswith("e99999 999")


LIMIT_LITERALS = [
    "0e-16383", "0e-16384", "0e1073741822", "0e1073741823", "0e-1073741822", "1e131071",
    "1e131072", "15e131070", "15e131071", "0.1e131072", "0.01e131073", "0.01e131074",
    "1e-16383", "1.5e-16382", "1.5e-16383", "100e-16385", "-0.0e-16383", "0.0e131072",
    "1e-1073741822", "0e9999999999", "0." + "0" * 16383, "0." + "0" * 16384, "12.5",
    "-0", "1E+5", "9" * 4000, "9" * 4000 + ".9e-16383",
]  # fmt: skip


@pytest.mark.django_db
def test_the_number_rule_says_what_postgres_says() -> None:
    with connection.cursor() as cursor:
        for literal in LIMIT_LITERALS:
            try:
                with transaction.atomic():
                    cursor.execute("SELECT (%s)::jsonb IS NOT NULL", [f"[{literal}]"])
                stored = True
            except Exception:
                stored = False
            assert numeric_fits(literal) is stored, literal[:40]


def test_a_datetime_beyond_the_calendar_is_no_datetime() -> None:
    assert as_datetime("9999-12-31T23:59:59-05:00") is None
    assert as_datetime("0001-01-01T00:00:00+05:00") is None
    parsed = packet(timestamp="9999-12-31T23:59:59-05:00", fixtureSeqNum=1)
    assert parsed.action.timestamp is None


def test_a_vendor_fixture_s_names_are_clipped_and_cleaned() -> None:
    info = parse_fixture(
        {
            "id": FIXTURE_ID,
            "startDateUTC": "2025-05-01T15:00:00",
            "name": "=cmd|' /C calc'!A0 Home\x00 v Away\u202e",
            "teams": [{"name": LONG, "id": "i" * 1000}, {"name": "Away\u2066\x00"}],
            "status": "\u202eLive" + "!" * 200,  # read as Live: punctuation is ignored
            "collectionStatus": "\u202eOdd" + "x" * 200,
        }
    )
    assert info.name == "=cmd|' /C calc'!A0 Home v Away"
    assert len(info.home_team) == NAME_CHARS and info.away_team == "Away"
    assert info.home_team_id is not None and len(info.home_team_id) == ID_CHARS
    assert info.status == "Live"
    assert info.collection_status is not None and len(info.collection_status) == LABEL_CHARS
    named = parse_fixture(
        {"id": FIXTURE_ID, "startDateUTC": "2025-05-01T15:00:00", "name": f"{LONG} v {LONG}"}
    )
    assert len(named.name) == FIXTURE_NAME_CHARS
    assert len(named.home_team) == NAME_CHARS and len(named.away_team) == NAME_CHARS


def test_a_fixture_name_of_blanks_is_read_in_linear_time() -> None:
    # The home/away split is a regular expression: a long run of blanks made it quadratic.
    started = time.perf_counter()
    info = parse_fixture(
        {"id": FIXTURE_ID, "startDateUTC": "2025-05-01T15:00:00", "name": "a" + " " * 500_000 + "b"}
    )
    assert time.perf_counter() - started < 1.0
    assert info.name == "a b"


def test_the_limits_are_the_documented_ones() -> None:
    # docs/dde-protocol.md "What we accept" lists these; change both together.
    assert (NAME_CHARS, FIXTURE_NAME_CHARS, LABEL_CHARS, CLOCK_CHARS, ID_CHARS) == (
        120,
        200,
        64,
        16,
        64,
    )
    assert (RELATED_IDS, PERIODS, MESSAGE_CHARS) == (50, 16, 500)
    assert (METADATA_DEPTH, METADATA_ENTRIES, METADATA_VALUES) == (6, 100, 1000)
    assert (METADATA_TEXT_CHARS, METADATA_KEY_CHARS, METADATA_CHARS) == (200, 64, 10_000)
    assert bounds.ELLIPSIS == "…"
