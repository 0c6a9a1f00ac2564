"""The lineups and match conditions panels: what the Lineups and Match Conditions actions
say, read once here (their rows carry it as ``panel``; the page embeds the newest of each).

The vendor does not document either metadata shape (docs/dde-protocol.md §5.3, §7.2), so
both are read leniently: keys compared with case, spaces and punctuation ignored, the
likely synonyms of each, strings as data (already cleaned at parse, clipped again here to
what we keep), malformed entries skipped, at most ``PLAYERS_KEPT`` players a team.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from streams.dde.bounds import LABEL_CHARS, NAME_CHARS
from streams.dde.values import as_bool, as_float, as_id, as_int, as_name, fold
from streams.meaning.kinds import ActionKind

PLAYERS_KEPT: Final = 40  # a team's lineup: 11 starters and a long bench, with room over
NUMBER_CHARS: Final = 8

# Keys (folded) that may hold a team's players, in the order tried.
_PLAYER_LISTS: Final = ("players", "lineup", "lineups", "squad", "teamlineup", "roster")
_STARTER_LISTS: Final = ("starters", "starting", "startingeleven", "startingxi", "startinglineup")
_BENCH_LISTS: Final = ("substitutes", "subs", "bench", "reserves", "replacements")
_ID: Final = ("id", "playerid", "personid")
_NAME: Final = ("name", "playername", "fullname", "displayname", "shortname", "knownname")
_FIRST_NAME: Final = ("firstname", "givenname")
_LAST_NAME: Final = ("lastname", "surname", "familyname")
_NUMBER: Final = ("shirtnumber", "number", "jerseynumber", "shirt", "jersey", "shirtno", "no")
_POSITION: Final = ("position", "positionname", "role", "pos", "positioncode")
_STARTER: Final = ("starter", "isstarter", "starting", "isstarting", "lineupstatus", "status")
_STARTER_WORDS: Final = ("starter", "starting", "start", "firsteleven", "lineup", "xi")
_BENCH_WORDS: Final = ("substitute", "sub", "bench", "reserve", "replacement")

# Position names to lines of a formation, read loosely: codes exactly, words within.
_LINE_CODES: Final = {
    "goalkeeper": ("gk", "g", "gkp", "tw"),
    "defence": ("d", "df", "def", "cb", "lb", "rb", "lcb", "rcb", "wb", "lwb", "rwb", "sw"),
    "midfield": ("m", "mf", "mid", "cm", "dm", "am", "lm", "rm", "cdm", "cam", "lcm", "rcm"),
    "attack": ("f", "fw", "fwd", "st", "cf", "lw", "rw", "ss", "lf", "rf", "att"),
}
# Tried in this order: "defensive midfielder" is a midfielder, "wing back" a defender.
_LINE_WORDS: Final = (
    ("goalkeeper", ("goalkeeper", "keeper", "goalie")),
    ("midfield", ("midfield",)),
    ("defence", ("back", "defender", "defence", "defense", "sweeper")),
    ("attack", ("forward", "striker", "attacker", "winger", "wing")),
)

_WEATHER: Final = ("weather", "weathercondition", "weatherconditions", "weathertype", "sky")
_CELSIUS: Final = ("temperaturecelsius", "temperaturec", "temperature", "temp", "airtemperature")
_FAHRENHEIT: Final = ("temperaturefahrenheit", "temperaturef")
_PITCH: Final = (
    "pitchcondition", "pitch", "pitchstate", "surface", "surfacecondition", "groundcondition",
)  # fmt: skip


def panel_of(kind: ActionKind, action: Mapping[str, Any]) -> dict[str, Any] | None:
    """What a Lineups or Match Conditions action says, for its row's ``panel``; None for
    any other action, and for one whose metadata says nothing we can read."""
    if kind is ActionKind.LINEUPS:
        lineup = read_lineup(action)
        return {"lineup": lineup} if lineup else None
    if kind is ActionKind.MATCH_CONDITIONS:
        conditions = read_conditions(action.get("metadata"))
        return {"conditions": conditions} if conditions else None
    return None


def panels(actions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The page's "panels-data": the newest lineup of each team and the newest conditions,
    from actions with rows, in timeline order; a removed action's panel is not used. Each
    carries its ``action_id`` so the browser can tell a newer live one from it."""
    lineups: dict[str, Any] = {}
    conditions = None
    for action in actions:
        panel = (action.get("row") or {}).get("panel")
        if not panel or action.get("removed"):
            continue
        action_id = str(action["action_id"])
        lineup = panel.get("lineup")
        if lineup and lineup["side"]:
            lineups[lineup["side"]] = {**lineup, "action_id": action_id}
        if panel.get("conditions"):
            conditions = {**panel["conditions"], "action_id": action_id}
    ordered = {side: lineups[side] for side in ("home", "away") if side in lineups}
    return {"lineups": ordered, "conditions": conditions}


def read_lineup(action: Mapping[str, Any]) -> dict[str, Any] | None:
    """A team's lineup from a Lineups action: its side (from ``team_is_home``; None when
    the action names no team) and its players; None when no player can be read."""
    metadata = action.get("metadata")
    if not isinstance(metadata, Mapping):
        return None
    players: list[dict[str, Any]] = []
    for entry, starter in _entries(_folded(metadata)):
        player = _player(entry, starter)
        if player is not None:
            players.append(player)
        if len(players) >= PLAYERS_KEPT:
            break
    if not players:
        return None
    if any(player["starter"] is not None for player in players):
        # Some say whether they start: those that do not are on the bench.
        for player in players:
            player["starter"] = bool(player["starter"])
    home = action.get("team_is_home")
    return {
        "side": None if home is None else ("home" if home else "away"),
        "team": as_name(action.get("team_name"), NAME_CHARS),
        "players": players,
    }


def line_of(position: str) -> str:
    """The line of a formation a position name puts a player in: goalkeeper, defence,
    midfield or attack; "" when the name does not say."""
    folded = fold(position)
    if not folded:
        return ""
    for line, codes in _LINE_CODES.items():
        if folded in codes:
            return line
    for line, words in _LINE_WORDS:
        if any(word in folded for word in words):
            return line
    return ""


def read_conditions(metadata: object) -> dict[str, str] | None:
    """Weather, temperature and pitch from a Match Conditions action, as texts to show;
    None when it has none of them."""
    if not isinstance(metadata, Mapping):
        return None
    values = _folded(metadata)
    found = {
        "weather": _text(_first(values, _WEATHER), LABEL_CHARS),
        "temperature": _temperature(values),
        "pitch": _text(_first(values, _PITCH), LABEL_CHARS),
    }
    kept = {key: text for key, text in found.items() if text}
    return kept or None


def _folded(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    """The mapping's keys folded (``shirt_number``, ``ShirtNumber``: one key); the first
    of two keys that fold alike wins."""
    folded: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(key, str):
            folded.setdefault(fold(key), value)
    return folded


def _first(values: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        if values.get(key) is not None:
            return values[key]
    return None


def _entries(metadata: Mapping[str, Any]) -> list[tuple[Any, bool | None]]:
    """Player entries, each with what its list says of it: True in a list of starters,
    False in a bench, None in one list of everybody."""
    found = _first(metadata, _PLAYER_LISTS)
    if isinstance(found, list):
        return [(entry, None) for entry in found]
    if isinstance(found, Mapping):  # {"lineup": {"starters": [...], "substitutes": [...]}}
        metadata = _folded(found)
    entries: list[tuple[Any, bool | None]] = []
    for keys, starter in ((_STARTER_LISTS, True), (_BENCH_LISTS, False)):
        listed = _first(metadata, keys)
        if isinstance(listed, list):
            entries.extend((entry, starter) for entry in listed)
    return entries


def _player(entry: object, listed_as: bool | None) -> dict[str, Any] | None:
    if not isinstance(entry, Mapping):
        return None
    values = _folded(entry)
    nested = values.get("player")
    if isinstance(nested, Mapping):  # {"player": {"id", "name"}, "shirtNumber": 7}
        values = {**_folded(nested), **{k: v for k, v in values.items() if k != "player"}}
    name = _text(_first(values, _NAME), NAME_CHARS) or _text(
        " ".join(
            part
            for part in (_first(values, _FIRST_NAME), _first(values, _LAST_NAME))
            if isinstance(part, str)
        ),
        NAME_CHARS,
    )
    number = _number(_first(values, _NUMBER))
    if not name and not number:
        return None
    position = _first(values, _POSITION)
    if isinstance(position, Mapping):  # {"position": {"name": "Defender"}}
        position = _first(_folded(position), ("name", "code", "type"))
    position_text = _text(position, LABEL_CHARS)
    player_id = _first(values, _ID)
    return {
        "id": as_id(player_id) if isinstance(player_id, str | int) else None,
        "name": name,
        "number": number,
        "position": position_text,
        "line": line_of(position_text),
        "starter": listed_as if listed_as is not None else _starter(_first(values, _STARTER)),
    }


def _text(value: object, limit: int) -> str:
    return as_name(value, limit) if isinstance(value, str) else ""


def _number(value: object) -> str:
    number = as_int(value)
    if number is not None:
        return str(number) if 0 <= number < 1000 else ""
    return _text(value, NUMBER_CHARS)


def _starter(value: object) -> bool | None:
    flag = as_bool(value)
    if flag is not None or not isinstance(value, str):
        return flag
    folded = fold(value)
    if folded.startswith(("non", "not")) or any(word in folded for word in _BENCH_WORDS):
        return False
    return True if any(word in folded for word in _STARTER_WORDS) else None


def _temperature(values: Mapping[str, Any]) -> str:
    for keys, unit in ((_CELSIUS, "°C"), (_FAHRENHEIT, "°F")):
        value = _first(values, keys)
        if value is None:
            continue
        degrees = as_float(value)
        if degrees is not None and abs(degrees) < 1000:
            return f"{degrees:.0f} {unit}" if degrees.is_integer() else f"{degrees:.1f} {unit}"
        return _text(value, LABEL_CHARS)
    return ""
