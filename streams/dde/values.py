"""Tolerant readers for wire values and the DDE enumerations (docs/dde-protocol.md §5, §6, §8)."""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Mapping
from typing import Any, cast

from streams.dde.bounds import ID_CHARS, LABEL_CHARS, clip

# §6: the lifecycle of an action.
SEND_TYPES: dict[int, str] = {
    1: "Pending",
    2: "Updated",
    3: "Cancelled",
    4: "Deleted",
    5: "Confirmed",
    6: "Restored",
}

# §8.1: fixtureSummary.currentStatus, the fixture's REST ``status``, metadata.fixtureStatus.
FIXTURE_STATUSES: dict[int, str] = {
    0: "Scheduled",
    1: "Live",
    2: "Completed",
    3: "Postponed",
    4: "Abandoned",
    5: "Cancelled",
    6: "Suspended",
    7: "Unverified",
}

# §8.2: collectionStatus, metadata.collectionStatus.
COLLECTION_STATUSES: dict[int, str] = {
    0: "CollectionScheduled",
    1: "CollectingLive",
    2: "CollectingPostMatch",
    3: "CollectionSuspended",
    4: "CollectionDropped",
    5: "CollectionCompleted",
    6: "PostMatchChecked",
}

# §8.3: coverageLevel (REST sends the name, Status Updated metadata the id).
COVERAGE_LEVELS: dict[int, str] = {
    0: "No Coverage",
    1: "In Venue",
    2: "Low Latency Stream",
    3: "Standard stream",
    4: "Video (post match)",
}

_NOT_ALNUM = re.compile(r"[^0-9a-z]")
# JSON number syntax only: float() would also take "nan", "inf" and "1_000".
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_INT64 = 2**63  # wider values are garbage for any field of this feed (and for Postgres)


def fold(name: str) -> str:
    """A name with case, spacing and punctuation ignored: "collecting_live", "COLLECTING
    LIVE" and "CollectingLive" are one name, as are "Throw-in" and "THROW IN"."""
    return _NOT_ALNUM.sub("", name.casefold())


def enum_name(value: object, names: Mapping[int, str]) -> str | None:
    """The canonical name for an enum value sent as a name in any case, or as an id.

    Unknown names come back cleaned and clipped (``streams.dde.bounds``) but otherwise as
    sent, unknown ids as their digits: the vendor's lists are open-ended, so an unknown
    value is kept, never dropped.
    """
    if value in names.values():  # as documented, the usual case: nothing to fold
        return cast(str, value)
    number = as_int(value)
    if number is not None:
        return names.get(number, str(number))
    if not isinstance(value, str) or not value.strip():
        return None
    folded = fold(value)
    for name in names.values():
        if fold(name) == folded:
            return name
    return clip(value, LABEL_CHARS) or None


def enum_id(name: str | None, names: Mapping[int, str]) -> int | None:
    """The id of a canonical name, None when the name is unknown."""
    for number, known in names.items():
        if known == name:
            return number
    return None


def as_int(value: object) -> int | None:
    """An integer sent as a number or a numeric string ("757", "757.0"); else None."""
    if isinstance(value, bool):  # bool is an int subclass, and never a count
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        number = int(value.strip())  # not via float: exact beyond 2**53
    else:
        decimal = as_float(value)
        # A float as large as 2**63 is no exact count: it may be a wider integer rounded.
        if decimal is None or not decimal.is_integer() or abs(decimal) >= _INT64:
            return None
        number = int(decimal)
    return number if -_INT64 <= number < _INT64 else None


def as_float(value: object) -> float | None:
    """A finite number sent as a number or a numeric string ("1.0000000079878635")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        number = float(value.strip())
    else:
        return None
    return number if math.isfinite(number) else None


def as_bool(value: object) -> bool | None:
    """A boolean sent as true/false, 0/1 or their strings; None when absent or unclear."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        return {"true": True, "1": True, "false": False, "0": False}.get(value.strip().lower())
    return None


def as_text(value: object) -> str | None:
    """A string value stripped of surrounding blanks, or a number's text; else None."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def as_name(value: object, limit: int) -> str:
    """A text kept for display (a name, a label): ``as_text`` cleaned and clipped to
    ``limit`` characters (``streams.dde.bounds``); "" when absent."""
    text = as_text(value)
    return clip(text, limit) if text else ""


def as_uuid(value: object) -> str | None:
    """A UUID in canonical lower-case hyphenated form; None when not a UUID."""
    if not isinstance(value, str):
        return None
    if _CANONICAL_UUID.fullmatch(value):  # as the feed sends them: already canonical
        return value
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None


def as_id(value: object) -> str | None:
    """An id that should be a UUID: canonical when it is one, otherwise kept as sent,
    cleaned and clipped to ID_CHARS."""
    found = as_uuid(value)
    if found is not None:
        return found
    text = as_text(value)
    return (clip(text, ID_CHARS) or None) if text else None


def as_datetime(value: object) -> dt.datetime | None:
    """An aware UTC datetime; ISO-8601 with or without ``Z`` or fraction (§5.6), else None.

    Period start/end and REST ``startDateUTC`` carry no offset but are documented as UTC.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):  # OverflowError: an offset past year 1 or 9999
        return None


def metadata_value(metadata: Mapping[str, Any], key: str) -> Any:
    """Look a metadata key up ignoring case (``HomeTeamColour`` vs ``homeTeamColour``, §5.3).

    An exact match wins; otherwise the first key equal ignoring case. None when absent.
    """
    if key in metadata:
        return metadata[key]
    wanted = key.casefold()
    for name, value in metadata.items():
        if isinstance(name, str) and name.casefold() == wanted:
            return value
    return None
