"""One upstream frame parsed into a data packet or a control message (docs/dde-protocol.md §2-6)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, cast

import orjson

from streams.dde.action import ParsedAction, parse_action
from streams.dde.bounds import LABEL_CHARS, MESSAGE_CHARS
from streams.dde.secrecy import excerpt
from streams.dde.summary import ParsedPeriod, ParsedSummary, parse_summary
from streams.dde.values import (
    COLLECTION_STATUSES,
    FIXTURE_STATUSES,
    SEND_TYPES,
    as_bool,
    as_name,
    as_text,
    as_uuid,
    metadata_value,
)
from streams.dde.wire import ActionWire, ControlWire, PacketWire, SummaryWire
from streams.jsontext import dumps

__all__ = [
    "COLLECTION_STATUSES",
    "FIXTURE_STATUSES",
    "SEND_TYPES",
    "ControlMessage",
    "DataPacket",
    "FrameRejected",
    "ParsedAction",
    "ParsedPeriod",
    "ParsedSummary",
    "frame_size",
    "metadata_value",
    "parse_frame",
]

MAX_FRAME_BYTES = 1_048_576

# What may make a frame that JSON accepts one that Postgres's jsonb refuses: an escape that
# decodes to text it cannot store (NUL, or half of a surrogate pair), or a number literal
# beyond its numeric type (an exponent of five digits or more, a run of a thousand digits).
# Only when one of these appears is the frame checked further; a string that merely looks
# like one costs that check, never a rejection.
# Three searches, each quick to fail, cost a third of one search for any of them, which
# the regex engine must try at every character.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
_LONG_EXPONENT = re.compile(r"[eE][+-]?[0-9]{5}")
_LONG_DIGITS = re.compile(r"[0-9]{1000}")
# Postgres's numeric (docs/dde-protocol.md "What we accept"): at most 131,072 digits before
# the decimal point and 16,383 after it, counted as the literal is written, and an exponent
# below 2**30 - 1 either way.
_NUMERIC_WEIGHT_MAX = 131_071  # the leading digit's place: 0 for units, 1 for tens...
_NUMERIC_SCALE_MAX = 16_383
_NUMERIC_EXPONENT_MAX = 2**30 - 2
_NUMBER = re.compile(r"-?([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?")


class FrameRejected(Exception):
    """A frame that is neither a usable data packet nor a control message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DataPacket:
    """A frame with a ``fixtureAction``: one action plus the fixture state after it (§5)."""

    payload: dict[str, Any]
    action: ParsedAction
    summary: ParsedSummary | None
    finished: bool
    text: str = field(repr=False)  # the JSON as received (less a byte-order mark), stored as is
    # The JSON for Postgres's jsonb: ``text``, unless that holds what jsonb cannot (a NUL or
    # half a surrogate pair, as an escape), which is then left out of ``payload`` and here.
    json_text: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.json_text:
            object.__setattr__(self, "json_text", self.text)

    @property
    def key(self) -> tuple[str, int | None]:
        """Identity of this packet: the same action at the same sequence number (§4)."""
        return self.action.action_id, self.action.fixture_seq_num


@dataclass(frozen=True)
class ControlMessage:
    """Any object without ``fixtureAction``: auth replies, heartbeats, warnings (§2.3, §3)."""

    payload: dict[str, Any]
    message: str
    level: str

    @property
    def is_heartbeat(self) -> bool:
        # Heartbeat JSON is undocumented for soccer; sibling streams send "Heartbeat sent
        # at ..." or, on golf, an "eventElementType" of "Heartbeat" (§3).
        kind = as_text(self.payload.get("eventElementType")) or ""
        return self.message.lower().startswith("heartbeat") or kind.lower() == "heartbeat"

    @property
    def is_error(self) -> bool:
        return self.level == "ERROR"


def parse_frame(
    frame: str | bytes, *, max_bytes: int = MAX_FRAME_BYTES
) -> DataPacket | ControlMessage:
    """Classify and parse one websocket frame; raises ``FrameRejected`` with a reason.

    Only an object with a ``fixtureAction`` object is data (§3, §12.2); everything else
    that is a JSON object is a control message. Unknown keys are ignored (§5).
    """
    text, payload, storable = _decode(frame, max_bytes)
    if "fixtureAction" not in payload:
        control = cast(ControlWire, payload)
        return ControlMessage(
            payload=payload,
            message=as_name(control.get("message"), MESSAGE_CHARS),
            level=as_name(control.get("level"), LABEL_CHARS).upper(),
        )
    packet = cast(PacketWire, payload)
    raw_action: object = packet["fixtureAction"]
    if not isinstance(raw_action, dict):
        raise FrameRejected(f"fixtureAction is {_kind(raw_action)}, not an object")
    action = parse_action(cast(ActionWire, raw_action), _action_id(raw_action))
    raw_summary: object = packet.get("fixtureSummary")
    summary = (
        parse_summary(cast(SummaryWire, raw_summary)) if isinstance(raw_summary, dict) else None
    )
    # Either flag ends the feed (§5.1, §5.5, §12.8).
    finished = as_bool(packet.get("finished")) is True or bool(summary and summary.finished)
    if storable:
        return DataPacket(payload, action, summary, finished, text)
    return DataPacket(payload, action, summary, finished, text, dumps(payload))


def frame_size(frame: str | bytes) -> int:
    """Size of a frame in bytes as it travelled (UTF-8 for text frames)."""
    if isinstance(frame, bytes):
        return len(frame)
    return len(frame.encode("utf-8", "surrogatepass"))


def _decode(frame: str | bytes, max_bytes: int) -> tuple[str, dict[str, Any], bool]:
    """The frame's text and value, and whether jsonb can hold the value as it is (if not,
    the value comes back with what it cannot hold taken out of its strings)."""
    size = frame_size(frame)
    if size > max_bytes:
        raise FrameRejected(f"frame of {size} bytes exceeds the {max_bytes}-byte limit")
    text = _text(frame)
    try:
        value = _loads(text)
    except json.JSONDecodeError as exc:
        raise FrameRejected(f"invalid JSON: {exc.msg} at char {exc.pos}") from None
    except RecursionError:
        raise FrameRejected("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # an integer literal of more than 4300 digits
        raise FrameRejected(f"invalid JSON: {str(exc).split(':')[0]}") from None
    if not isinstance(value, dict):
        raise FrameRejected(f"JSON value is {_kind(value)}, not an object")
    storable = True
    if "\\u" in text and _SUSPECT_ESCAPE.search(text) and not _storable(value):
        storable, value = False, _without_unstorable(value)
    if _LONG_EXPONENT.search(text) or _LONG_DIGITS.search(text):
        _check_numbers(text)
    return text, cast(dict[str, Any], value), storable


def _loads(text: str) -> object:
    """The standard library's reading, three times as fast: orjson accepts no text the
    standard library refuses. One value differs: an integer wider than 64 bits, which
    orjson reads as the nearest float. Every field read from it gets None either way (out
    of range); a metadata value of that size shows rounded in the action's metadata, and
    exactly as sent in the stored packet, which keeps the frame's text."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return _DECODER.decode(text)  # refused again, with the standard library's message


def _text(frame: str | bytes) -> str:
    if isinstance(frame, bytes):
        try:
            text = frame.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FrameRejected(f"frame is not UTF-8: {exc.reason} at byte {exc.start}") from None
    else:
        text = frame
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise FrameRejected(f"frame is not UTF-8: {exc.reason} at char {exc.start}") from None
    return text.removeprefix("\ufeff")  # a byte-order mark is not part of the JSON


def _refuse_constant(name: str) -> Any:
    # Python's json reads NaN and Infinity, which are not JSON and which Postgres refuses.
    raise FrameRejected(f"invalid JSON: non-standard constant {name}")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _storable(value: object) -> bool:
    stack = [value]
    while stack:  # iterative: a deeply nested frame must not overflow the Python stack
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and not _storable_text(item):
            return False
    return True


def _check_numbers(text: str) -> None:
    """Raise ``FrameRejected`` if a number literal of the frame is beyond what Postgres's
    numeric holds: jsonb would refuse the stored packet, and the batch with it."""
    try:
        _NUMBER_CHECKER.decode(text)
    except RecursionError:  # orjson reads a little deeper than the standard library
        raise FrameRejected("invalid JSON: nested too deeply") from None


def _checked_number(literal: str) -> float:
    if not numeric_fits(literal):
        shown = literal if len(literal) <= 40 else f"{literal[:20]}...{literal[-12:]}"
        raise FrameRejected(f"number {shown} is beyond what Postgres can store")
    return 0.0  # the value is not used: this decoder only checks


_NUMBER_CHECKER = json.JSONDecoder(parse_float=_checked_number, parse_constant=_refuse_constant)


def numeric_fits(literal: str) -> bool:
    """Whether Postgres's numeric (so jsonb) reads a JSON number ``literal``; the rules of
    its ``numeric_in``: exponent, digits after the point, then the leading digit's place."""
    match = _NUMBER.fullmatch(literal)
    if match is None:
        return False
    whole, fraction, exponent_text = match.group(1), match.group(2) or "", match.group(3)
    exponent_digits = (exponent_text or "0").lstrip("+-").lstrip("0") or "0"
    if len(exponent_digits) > 10:
        return False
    exponent = int(exponent_text or "0")
    if abs(exponent) > _NUMERIC_EXPONENT_MAX:
        return False
    if max(0, len(fraction) - exponent) > _NUMERIC_SCALE_MAX:
        return False
    leading = whole.lstrip("0")
    if leading:
        weight = len(leading) - 1 + exponent
    elif fraction.strip("0"):
        weight = exponent - (len(fraction) - len(fraction.lstrip("0"))) - 1
    else:
        return True  # zero: no place to overflow
    return weight <= _NUMERIC_WEIGHT_MAX


def _without_unstorable(value: Any) -> Any:
    """The value with NULs and unpaired surrogates taken out of every string and key."""
    if isinstance(value, str):
        return value if _storable_text(value) else _storable_only(value)
    if isinstance(value, dict):
        return {_without_unstorable(k): _without_unstorable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_unstorable(item) for item in value]
    return value


def _storable_only(text: str) -> str:
    return text.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")


def _storable_text(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _action_id(raw_action: dict[str, Any]) -> str:
    value = raw_action.get("actionId")
    if value is None:
        raise FrameRejected("fixtureAction has no actionId")
    action_id = as_uuid(value)
    if action_id is None:
        raise FrameRejected(f"fixtureAction.actionId is not a UUID: {excerpt(value)}")
    return action_id


def _kind(value: object) -> str:
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return kinds.get(type(value), "a number")
