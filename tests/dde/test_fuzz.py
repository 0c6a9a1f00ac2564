"""Fuzz targets for what the vendor sends: the frame parser, the packet rules, fixtures.

Hypothesis generates frames of every kind: random JSON of any shape and type, packets whose
every field is random (wrong types, huge and non-finite numbers, number literals beyond any
float, deep nesting, any unicode, lone surrogates, NUL, bidi controls, names of up to
80,000 characters), valid packets cut or spliced, and bytes that are no text at all. What
must hold:

- ``parse_frame`` returns a data packet or a control message, or raises ``FrameRejected``
  with a reason; nothing else, ever;
- every value it keeps, and every value ``streams.feed.rules`` derives from a packet, is
  within the bounds docs/dde-protocol.md "What we accept" documents;
- Postgres stores every frame it accepts (the jsonb the ingest statement writes).

300 examples per target in the normal run (about ten seconds in all);
``FUZZ_EXAMPLES=100000 pytest tests/dde/test_fuzz.py`` runs longer. The counts are printed
at the end of the run ("fuzz: parse_fixture 300 examples, parse_frame 300 examples, ...").
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import uuid
from dataclasses import replace
from typing import Any

import orjson
import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.dde.bounds import (
    CLOCK_CHARS,
    FIXTURE_NAME_CHARS,
    ID_CHARS,
    LABEL_CHARS,
    MESSAGE_CHARS,
    NAME_CHARS,
    PERIODS,
    RELATED_IDS,
    is_clean,
)
from streams.dde.messages import ControlMessage, DataPacket, FrameRejected, parse_frame
from streams.dde.rest import InvalidFixture, parse_fixture
from streams.feed.rules import action_fields, fixture_fields, next_action_state
from streams.jsontext import dumps
from tests.support.bounds import assert_within_metadata_bounds

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written to the working tree; a failure prints its blob
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,  # fuzz_runs is session-scoped; db is read only
    ],
)
INT64 = 2**63

# ---- values -------------------------------------------------------------------------------

HOSTILE_TEXTS = [
    "", " ", "\x00", "a\x00b", "\u202eevil\u202c", "\u2066\u2067\u2068\u2069", "\u200e\u200f\u061c",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "\ud800", "\udfff", "\ud83d\ude00", "😀",
    "\n\r\t\x0b\x0c\x85\u2028\u2029", "\x1b[31m", "\x7f\x80\x9f", "NaN", "Infinity", "1e999",
    "Pending", "confirmed", "CANCELLED", "Live", "collecting live", "running", "Heartbeat",
    "00:00", "91:51", "2023-10-17T15:44:16.214769Z", "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+05:00", "eca0afa7-cac0-4064-b8f0-fc1aeae949a5",
    "ECA0AFA7CAC04064B8F0FC1AEAE949A5", "757", "757.0", " 12 ", "1_000",
]  # fmt: skip
NUMBER_LITERALS = [
    "1e200000", "-1e200000", "1e-20000", "1e131071", "1e131072", "0e1073741823",
    "0e1073741822", "1.5e-16383", "1.5e-16382", "0." + "0" * 16384 + "1", "1e400", "-0",
    "123456789012345678901234567890", "9" * 4000, "9" * 4301, "1" * 2000 + ".5",
]  # fmt: skip


class RawNumber:
    """A number literal written into the frame as it is: no float holds most of these."""

    def __init__(self, literal: str) -> None:
        self.literal = literal


def long_texts(alphabet: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """Texts up to 80,000 characters: a short piece repeated."""
    return st.builds(
        lambda piece, times: piece * times,
        st.text(alphabet if alphabet is not None else st.characters(), min_size=1, max_size=4),
        st.integers(0, 20_000),
    )


WILD_TEXTS = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=30),  # surrogates too
    st.sampled_from(HOSTILE_TEXTS),
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE_TEXTS), st.text(max_size=10)),
)
# Texts and numbers a frame may carry and still be stored: no NUL, no lone surrogate, no
# NaN, no number beyond Postgres. Packets built of these are mostly accepted, so the rules
# see many; the wild ones mostly test the refusals.
STORABLE_HOSTILE = [t for t in HOSTILE_TEXTS if "\x00" not in t and not any(
    0xD800 <= ord(c) <= 0xDFFF for c in t
)]  # fmt: skip
TAME_TEXTS = st.one_of(
    st.text(st.characters(exclude_characters="\x00"), max_size=30),
    st.sampled_from(STORABLE_HOSTILE),
    st.builds(
        lambda a, b: a + b,
        st.sampled_from(STORABLE_HOSTILE),
        st.text(st.characters(exclude_characters="\x00"), max_size=10),
    ),
)
NUMBER_PATTERN = r"-?(0|[1-9][0-9]{0,40})(\.[0-9]{1,40})?([eE][+-]?[0-9]{1,8})?"
WILD_NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.builds(RawNumber, st.sampled_from(NUMBER_LITERALS)),
    st.builds(RawNumber, st.from_regex(NUMBER_PATTERN, fullmatch=True)),
)
TAME_NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.builds(RawNumber, st.sampled_from(["1e400", "-1e400", "123456789012345678901234567890"])),
)
uuids = st.uuids().map(str)


def maybe(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


class Shapes:
    """Every shape of frame, built from one kind of texts and numbers."""

    def __init__(
        self, texts: st.SearchStrategy[str], numbers: st.SearchStrategy[Any], wild: bool
    ) -> None:
        long = long_texts(None if wild else st.characters(exclude_characters="\x00"))
        leaves = st.one_of(st.none(), st.booleans(), numbers, texts)
        keys = st.one_of(texts, st.sampled_from(["name", "id", "metadata"]))
        self.json_values = st.recursive(
            leaves,
            lambda children: st.one_of(
                st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=5)
            ),
            max_leaves=25,
        )
        anything = st.one_of(
            self.json_values, long, st.builds(lambda n: [[]] * n, st.integers(0, 3000))
        )
        ids = st.one_of(uuids, uuids.map(str.upper), anything)
        texty = st.one_of(texts, long, anything)
        counts = st.one_of(st.integers(-5, 10_000), numbers, texts, anything)
        self.people = st.one_of(maybe(id=ids, name=texty, homeTeam=anything), anything)
        actions = st.fixed_dictionaries(
            {"actionId": st.one_of(uuids, anything) if wild else uuids},
            optional={
                "fixtureId": ids,
                "period": counts,
                "clockTime": texty,
                "timestamp": texty,
                "sendType": texty,
                "sendTypeId": counts,
                "fixtureSeqNum": counts,
                "timelineSequence": counts,
                "fixtureActionType": texty,
                "fixtureActionTypeId": counts,
                "fixtureActionSubType": texty,
                "fixtureActionSubTypeId": counts,
                "team": self.people,
                "player": self.people,
                "metadata": st.one_of(
                    self.json_values, st.dictionaries(texts, anything, max_size=8)
                ),
                "relatedFixtureActionIds": st.one_of(st.lists(ids, max_size=80), anything),
                "delayStatus": texty,
            },
        )
        periods = maybe(
            id=counts, label=texty, type=texty, start=texty, end=texty, homeTeamScore=counts,
            awayTeamScore=counts, homeTeamPeriodScore=counts, awayTeamPeriodScore=counts,
        )  # fmt: skip
        summaries = st.one_of(
            maybe(
                homeTeamScore=counts,
                awayTeamScore=counts,
                isTied=anything,
                periods=st.one_of(st.lists(periods, max_size=30), anything),
                currentPeriod=counts,
                currentStatus=texty,
                collectionStatus=texty,
                currentClockTime=texty,
                currentClockState=texty,
                isHomeTeamInPossesion=anything,
                isHomeTeamInPossession=anything,
                finished=anything,
            ),
            anything,
        )
        self.packets = st.fixed_dictionaries(
            {"fixtureAction": actions},
            optional={
                "fixtureSummary": summaries,
                "finished": anything,
                "traceId": texty,
                "version": counts,
            },
        )
        self.controls = maybe(message=texty, level=texty, eventElementType=texty, timestamp=texty)
        self.texty = texty
        self.anything = anything


WILD = Shapes(WILD_TEXTS, WILD_NUMBERS, wild=True)
TAME = Shapes(TAME_TEXTS, TAME_NUMBERS, wild=False)


def deep_frame(action_id: str, depth: int) -> str:
    """A packet whose metadata nests ``depth`` objects and arrays: written as text, since no
    JSON writer goes as deep as a frame may."""
    nested = '{"a":[' * depth + "1" + "]}" * depth
    return '{"fixtureAction":{"actionId":"' + action_id + '","metadata":' + nested + "}}"


def to_json(value: Any) -> str:
    """JSON text of ``value``: NaN and Infinity as Python writes them (not JSON), lone
    surrogates and NUL escaped, RawNumbers as their literal."""
    raw: list[str] = []

    def default(item: Any) -> str:
        if isinstance(item, RawNumber):
            raw.append(item.literal)
            return f"@@raw{len(raw) - 1}@@"
        raise TypeError(type(item))

    text = json.dumps(value, default=default, allow_nan=True)
    for index, literal in enumerate(raw):
        text = text.replace(f'"@@raw{index}@@"', literal)
    return text


def spliced(text: str, at: int, cut: int, insert: str) -> str:
    at = at % (len(text) + 1)
    return text[:at] + insert + text[at + cut :]


def with_number(packet: dict[str, Any], literal: str, where: int) -> dict[str, Any]:
    """The packet with one number literal from the edges of what Postgres stores."""
    action = dict(packet["fixtureAction"])
    if where == 0:
        action["metadata"] = {"reading": RawNumber(literal)}
    elif where == 1:
        action["fixtureSeqNum"] = RawNumber(literal)
    else:
        return {
            **packet,
            "fixtureAction": action,
            "fixtureSummary": {"homeTeamScore": RawNumber(literal)},
        }
    return {**packet, "fixtureAction": action}


edge_numbers = st.one_of(
    st.sampled_from(NUMBER_LITERALS),
    st.from_regex(
        r"-?(0|[1-9][0-9]{0,3})(\.[0-9]{1,3})?[eE][+-]?(1[0-9]{4}|13[01][0-9]{3}|10737418[0-9]{2})",
        fullmatch=True,
    ),
)
frames = st.one_of(
    st.builds(with_number, TAME.packets, edge_numbers, st.integers(0, 2)).map(to_json),
    WILD.packets.map(to_json),
    TAME.packets.map(to_json),
    TAME.packets.map(to_json),
    WILD.controls.map(to_json),
    WILD.json_values.map(to_json),
    st.builds(spliced, TAME.packets.map(to_json), st.integers(0), st.integers(0, 20), WILD_TEXTS),
    st.builds(lambda text: "\ufeff" + text, TAME.packets.map(to_json)),
    TAME.packets.map(lambda p: to_json(p).encode()),
    st.binary(max_size=200),
    st.text(max_size=50),
    st.builds(lambda n, c: c * n, st.integers(0, 100_000), st.sampled_from(["[", "{", '{"a":'])),
    st.builds(deep_frame, uuids, st.integers(0, 1100)),
)
KICKOFFS = ["2025-05-01T15:00:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59+05:00"]
# Three tame packets in four: the rules see mostly packets parse_frame accepts.
rule_packets = st.integers(0, 3).flatmap(lambda n: (WILD if n == 0 else TAME).packets).map(to_json)

# ---- bounds -------------------------------------------------------------------------------


def assert_text(value: Any, limit: int) -> None:
    assert isinstance(value, str) and is_clean(value, limit), repr(value)[:200]


def assert_optional_text(value: Any, limit: int) -> None:
    if value is not None:
        assert value != "" and is_clean(value, limit), repr(value)[:200]


def assert_int(value: Any) -> None:
    assert value is None or (type(value) is int and -INT64 <= value < INT64), value


def assert_float(value: Any) -> None:
    assert value is None or (type(value) is float and math.isfinite(value)), value


def assert_moment(value: Any) -> None:
    assert value is None or (isinstance(value, dt.datetime) and value.utcoffset() == dt.timedelta())


def assert_packet_within_bounds(packet: DataPacket) -> None:
    action = packet.action
    assert str(uuid.UUID(action.action_id)) == action.action_id
    for name in (action.type_name, action.subtype_name, action.team_name, action.player_name):
        assert_text(name, NAME_CHARS)
    for value in (action.fixture_id, action.team_id, action.player_id):
        assert_optional_text(value, ID_CHARS)
    assert_optional_text(action.clock_time, CLOCK_CHARS)
    assert_text(action.send_type, LABEL_CHARS)
    for number in (action.period, action.send_type_id, action.fixture_seq_num, action.type_id,
                   action.subtype_id):  # fmt: skip
        assert_int(number)
    assert_float(action.timeline_sequence)
    assert_moment(action.timestamp)
    assert action.team_is_home in (None, True, False)
    assert len(action.related_action_ids) <= RELATED_IDS
    for related in action.related_action_ids:
        assert_text(related, ID_CHARS)
    assert_within_metadata_bounds(action.metadata)
    summary = packet.summary
    if summary is not None:
        for number in (summary.home_score, summary.away_score, summary.current_period):
            assert_int(number)
        for label in (summary.current_status, summary.collection_status, summary.clock_state):
            assert_optional_text(label, LABEL_CHARS)
        assert_optional_text(summary.clock_time, CLOCK_CHARS)
        assert len(summary.periods) <= PERIODS
        for period in summary.periods:
            assert_text(period.label, LABEL_CHARS)
            assert_text(period.type, LABEL_CHARS)
            assert_moment(period.start)
            assert_moment(period.end)
            for number in (period.id, period.home_score, period.away_score,
                           period.home_period_score, period.away_period_score):  # fmt: skip
                assert_int(number)


# What a kept value may be, by the name rules give it (Action and Fixture fields).
TEXT_LIMITS = {
    "type_name": NAME_CHARS, "subtype_name": NAME_CHARS, "team_name": NAME_CHARS,
    "player_name": NAME_CHARS, "send_type": LABEL_CHARS, "clock_time": CLOCK_CHARS,
    "team_id": ID_CHARS, "player_id": ID_CHARS, "status": LABEL_CHARS,
    "collection_status": LABEL_CHARS, "clock_state": LABEL_CHARS, "home_colour": LABEL_CHARS,
    "away_colour": LABEL_CHARS, "coverage_level": LABEL_CHARS,
}  # fmt: skip


def assert_fields_within_bounds(fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name in TEXT_LIMITS:
            assert_text(value, TEXT_LIMITS[name])
        elif name == "metadata":
            assert_within_metadata_bounds(value)
        elif name == "related_action_ids":
            assert len(value) <= RELATED_IDS and all(is_clean(i, ID_CHARS) for i in value)
        elif name == "periods":
            assert len(value) <= PERIODS
            for period in value:
                assert_text(period["label"], LABEL_CHARS)
                assert_text(period["type"], LABEL_CHARS)
                for key in ("id", "home_score", "away_score", "home_period_score",
                            "away_period_score"):  # fmt: skip
                    assert_int(period[key])
        elif name == "timeline_sequence":
            assert_float(value)
        elif name == "timestamp":
            assert_moment(value)
        elif isinstance(value, bool) or value is None:
            continue
        else:
            assert_int(value)
    orjson.loads(dumps(fields if "timestamp" not in fields else {**fields, "timestamp": None}))


def parsed(frame: str | bytes) -> DataPacket | ControlMessage | None:
    """The frame parsed; None when refused, which must be with a reason and nothing else."""
    try:
        return parse_frame(frame)
    except FrameRejected as exc:
        assert isinstance(exc.reason, str) and exc.reason and len(exc.reason) < 400
        return None


# ---- targets ------------------------------------------------------------------------------


@FUZZ
@given(frame=frames)
def test_parse_frame_keeps_only_bounded_values_or_refuses_with_a_reason(
    frame: str | bytes, fuzz_runs: dict[str, int]
) -> None:
    fuzz_runs["parse_frame"] = fuzz_runs.get("parse_frame", 0) + 1
    result = parsed(frame)
    if isinstance(result, DataPacket):
        text = frame.decode() if isinstance(frame, bytes) else frame
        assert result.text == text.removeprefix("\ufeff")  # kept exactly as received
        assert_packet_within_bounds(result)
    elif isinstance(result, ControlMessage):
        assert_text(result.message, MESSAGE_CHARS)
        assert_text(result.level, LABEL_CHARS)
        assert result.is_heartbeat in (True, False) and result.is_error in (True, False)


@FUZZ
@given(frame=rule_packets, later=st.sampled_from(["Cancelled", "Deleted", "Updated", "Restored"]))
def test_the_rules_keep_every_value_within_its_bounds(
    frame: str, later: str, fuzz_runs: dict[str, int]
) -> None:
    fuzz_runs["rules"] = fuzz_runs.get("rules", 0) + 1
    packet = parsed(frame)
    if not isinstance(packet, DataPacket):
        return
    state = next_action_state(None, packet, 0)
    assert_fields_within_bounds(action_fields(packet.action))
    assert_fields_within_bounds(state)
    assert_fields_within_bounds(fixture_fields(packet))
    # A thin later version (a removal keeps the names it lacks from the state before).
    thin = replace(
        packet.action, send_type=later, type_name="", team_name="", player_name="", metadata={}
    )
    seq = None if packet.action.fixture_seq_num is None else packet.action.fixture_seq_num + 1
    thin = replace(thin, fixture_seq_num=seq if seq is None or seq < INT64 else None)
    again = DataPacket(packet.payload, thin, packet.summary, packet.finished, packet.text)
    assert_fields_within_bounds(next_action_state(state, again, 1))
    assert_fields_within_bounds(fixture_fields(again))


@FUZZ
@given(
    fixture=st.one_of(
        maybe(
            id=st.one_of(uuids, WILD.anything),
            name=WILD.texty,
            startDateUTC=st.one_of(st.sampled_from(KICKOFFS), WILD.texty),
            status=WILD.texty,
            collectionStatus=WILD.texty,
            coverageLevel=WILD.texty,
            teams=st.one_of(st.lists(WILD.people, max_size=3), WILD.anything),
        ),
        st.dictionaries(WILD_TEXTS, WILD.anything, max_size=5),  # the API lists only objects
    )
)
def test_a_vendor_fixture_is_read_or_refused_and_kept_within_bounds(
    fixture: dict[str, Any], fuzz_runs: dict[str, int]
) -> None:
    fuzz_runs["parse_fixture"] = fuzz_runs.get("parse_fixture", 0) + 1
    try:
        info = parse_fixture(fixture)
    except InvalidFixture as exc:
        assert exc.body
        return
    assert_text(info.name, FIXTURE_NAME_CHARS)
    assert_text(info.home_team, NAME_CHARS)
    assert_text(info.away_team, NAME_CHARS)
    for label in (info.status, info.collection_status, info.coverage_level):
        assert_optional_text(label, LABEL_CHARS)
    for value in (info.home_team_id, info.away_team_id):
        assert_optional_text(value, ID_CHARS)
    assert_moment(info.kickoff)


@pytest.mark.django_db
@FUZZ
@given(frame=frames)
def test_postgres_stores_every_frame_parse_frame_accepts(
    frame: str | bytes, fuzz_runs: dict[str, int]
) -> None:
    fuzz_runs["storable"] = fuzz_runs.get("storable", 0) + 1
    result = parsed(frame)
    if not isinstance(result, DataPacket):
        return
    row = dumps(action_fields(result.action) | {"timestamp": None})
    with transaction.atomic(), connection.cursor() as cursor:
        # What the ingest statement writes as jsonb: the frame's JSON and the action row.
        cursor.execute(
            "SELECT %s::jsonb IS NOT NULL, %s::jsonb IS NOT NULL", [result.json_text, row]
        )
        assert cursor.fetchone() == (True, True)
