"""What we accept from the vendor: every text kept from a packet or a fixture is cleaned
and clipped here, at the parse boundary (docs/dde-protocol.md "What we accept").

The feed is not ours: a name may be 200,000 characters long, carry markup, formulas, NUL
or the control characters that make text display reversed. What the product keeps of it
(names, statuses, labels, ids, display metadata) is cleaned of those characters and cut
to the lengths below; the stored packet keeps the frame exactly as received, for audit.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

# Team, player, action type and sub-type names, and a fixture's team names (the width of
# Fixture.home_team and away_team, which staff edit in admin).
NAME_CHARS: Final = 120
# A fixture's name (the width of Fixture.name).
FIXTURE_NAME_CHARS: Final = 200
# Statuses and other enumeration names as sent, period labels and types, the clock's
# state, team colours.
LABEL_CHARS: Final = 64
# A match clock ("91:51").
CLOCK_CHARS: Final = 16
# An id that is not a UUID, kept as sent.
ID_CHARS: Final = 64
# relatedFixtureActionIds kept per action (usually 0 to 2).
RELATED_IDS: Final = 50
# Periods kept of a fixtureSummary (soccer has at most five: two halves, two of extra
# time and a shootout).
PERIODS: Final = 16
# A control message's text and level: they are logged.
MESSAGE_CHARS: Final = 500
# An action's metadata as kept for display: objects and arrays nested at most this deep,
# at most this many entries in any one of them, this many keys and values in all, strings
# and keys clipped, and at most this many characters of keys, strings and numbers (true,
# false and null count 4) in all, so at most about 24 KB of JSON. What is beyond is left
# out (a Lineups packet of 18 players is about 300 keys and values, 2,400 characters).
METADATA_DEPTH: Final = 6
METADATA_ENTRIES: Final = 100
METADATA_VALUES: Final = 1_000
METADATA_TEXT_CHARS: Final = 200
METADATA_KEY_CHARS: Final = 64
METADATA_CHARS: Final = 10_000

# A clipped text ends with this, within its limit.
ELLIPSIS: Final = "\u2026"

# Removed: C0 and C1 control characters but the ones that are white space (NUL among them,
# which Postgres text cannot hold), DEL, lone surrogates (which UTF-8 cannot encode), and the
# bidirectional controls that make a name display reversed or reorder what follows it:
# U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069.
_REMOVED = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]+"
)
# Any run of white space (line breaks and tabs too) becomes one space: every text kept is
# one line, and no pattern run over a name meets a long run of blanks.
_BLANKS = re.compile(r"\s+")
_INT64: Final = 2**63


def clean(text: str) -> str:
    """``text`` without control and bidirectional control characters, its runs of white
    space one space each, stripped."""
    if text.isprintable() and "  " not in text:  # the usual case, checked in C
        return text.strip()
    return _BLANKS.sub(" ", _REMOVED.sub("", text)).strip()


def clip(text: str, limit: int) -> str:
    """``text`` cleaned and cut to at most ``limit`` characters, the cut marked with "…"."""
    text = clean(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def is_clean(text: str, limit: int) -> bool:
    """True when ``text`` is as ``clip`` leaves a text: within ``limit``, nothing to remove."""
    return len(text) <= limit and clean(text) == text


def bounded_metadata(value: object) -> dict[str, Any]:
    """An action's metadata for display: an object within the METADATA_* bounds, its strings
    and keys cleaned and clipped; a number that is not finite, or an integer of more than
    METADATA_TEXT_CHARS digits, is null. Anything but an object is no metadata ({}).

    Walked depth first in the order sent: once a bound is reached, what follows is left out.
    """
    if not isinstance(value, dict):
        return {}
    budget = _Budget()
    return _bounded_object(value, 1, budget)


class _Budget:
    def __init__(self) -> None:
        self.values = METADATA_VALUES
        self.chars = METADATA_CHARS

    def take(self, chars: int) -> bool:
        """One more value of ``chars`` characters; False (taking nothing) when it does not fit."""
        if self.values < 1 or self.chars < chars:
            return False
        self.values -= 1
        self.chars -= chars
        return True


_LEFT_OUT: Final = object()


def _bounded(value: object, depth: int, budget: _Budget) -> Any:
    if isinstance(value, str):
        text = clip(value, METADATA_TEXT_CHARS)
        return text if budget.take(len(text)) else _LEFT_OUT
    if isinstance(value, dict | list):
        if depth >= METADATA_DEPTH or not budget.take(0):
            return _LEFT_OUT
        if isinstance(value, dict):
            return _bounded_object(value, depth + 1, budget)
        return _bounded_array(value, depth + 1, budget)
    kept = _scalar(value)
    return kept if budget.take(_NULL_CHARS if kept is None else len(str(kept))) else _LEFT_OUT


def _scalar(value: object) -> bool | int | float | None:
    """A number, true, false or null as kept: null for a number not finite or too long."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if -_INT64 <= value < _INT64 or len(str(abs(value))) <= METADATA_TEXT_CHARS:
            return value  # wider than 64 bits, as the stored packet has it
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return None  # not a JSON value: never from a parsed frame


_NULL_CHARS: Final = 4


def _bounded_object(value: dict[Any, Any], depth: int, budget: _Budget) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, item in value.items():
        if len(kept) >= METADATA_ENTRIES:
            break
        name = clip(str(key), METADATA_KEY_CHARS)
        if name in kept or not budget.take(len(name)):
            continue
        bounded = _bounded(item, depth, budget)
        if bounded is _LEFT_OUT:
            continue
        kept[name] = bounded
    return kept


def _bounded_array(value: list[Any], depth: int, budget: _Budget) -> list[Any]:
    kept: list[Any] = []
    for item in value[:METADATA_ENTRIES]:
        bounded = _bounded(item, depth, budget)
        if bounded is not _LEFT_OUT:
            kept.append(bounded)
    return kept
