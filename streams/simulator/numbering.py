"""Alternative numberings of the action type ids this project chose (``--type-ids``).

The vendor documents only a few soccer type ids (docs/dde-protocol.md §7); the others in
``catalog.py`` were invented here. Serving them under other numbers checks that the
product never relies on an undocumented id. Names never change, and a sub-type keeps
the ``typeId * 100 + n`` rule (§7.1): it follows its type's new id and keeps its ``n``.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from streams.simulator.catalog import ACTION_TYPES

VENDOR_DOCUMENTED_TYPE_IDS: Final[frozenset[int]] = frozenset(
    type_id for type_id, action in ACTION_TYPES.items() if action.source != "chosen"
)
PROJECT_CHOSEN_TYPE_IDS: Final[frozenset[int]] = frozenset(
    type_id for type_id, action in ACTION_TYPES.items() if action.source == "chosen"
)
SHIFT: Final = 1000
# Ids from here up belong to ``--invent-types``; a mapping must stay below them.
INVENTED_TYPE_BASE: Final = 90000


class NumberingError(ValueError):
    """A ``--type-ids`` value or mapping file the simulator cannot use; one sentence."""


def sub_type_of(new_type_id: int, sub_type_id: int) -> int:
    """The sub-type ``n`` of ``sub_type_id`` (``typeId * 100 + n``) under its type's new id."""
    return new_type_id * 100 + sub_type_id % 100


def shifted_type_id(type_id: int) -> int:
    """``--type-ids shifted``: an id this project chose plus 1000; any other id unchanged."""
    return type_id + SHIFT if type_id in PROJECT_CHOSEN_TYPE_IDS else type_id


def shifted_sub_type_id(sub_type_id: int) -> int:
    """``--type-ids shifted`` for a sub-type id: it follows its type (5201 -> 105201)."""
    return sub_type_of(shifted_type_id(sub_type_id // 100), sub_type_id)


@dataclass(frozen=True)
class Numbering:
    """Old type id -> new type id for the catalogue's types; ids not listed keep theirs."""

    name: str
    changes: tuple[tuple[int, int], ...] = ()

    @functools.cached_property
    def _lookup(self) -> dict[int, int]:
        return dict(self.changes)

    @property
    def is_default(self) -> bool:
        return not self.changes

    def type_id(self, type_id: int) -> int:
        return self._lookup.get(type_id, type_id)

    def sub_type_id(self, sub_type_id: int) -> int:
        return sub_type_of(self.type_id(sub_type_id // 100), sub_type_id)

    def __str__(self) -> str:
        return self.name


DEFAULT_NUMBERING: Final = Numbering("default")
SHIFTED_NUMBERING: Final = Numbering(
    "shifted", tuple((old, shifted_type_id(old)) for old in sorted(PROJECT_CHOSEN_TYPE_IDS))
)


def parse_type_ids(value: str) -> Numbering:
    """``default``, ``shifted`` or the path of a JSON mapping; raises NumberingError."""
    if value == "default":
        return DEFAULT_NUMBERING
    if value == "shifted":
        return SHIFTED_NUMBERING
    return load_mapping(Path(value))


def load_mapping(path: Path) -> Numbering:
    """A numbering from a JSON object such as ``{"101": 7001}``; raises NumberingError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NumberingError(f"cannot read the type id mapping {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise NumberingError(f"the type id mapping {path} is not UTF-8 text") from None
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise NumberingError(f"the type id mapping {path} is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise NumberingError(
            f"the type id mapping {path} must be a JSON object of old id to new id, "
            f"not {type(raw).__name__}"
        )
    changes = {_old_id(path, key): _new_id(path, key, value) for key, value in raw.items()}
    _refuse_clashes(path, changes)
    return Numbering(str(path), tuple(sorted(changes.items())))


def _old_id(path: Path, key: str) -> int:
    if not (key.isascii() and key.isdigit()):
        raise NumberingError(f"the type id mapping {path} has a key {key!r} that is not a type id")
    old = int(key)
    if old not in ACTION_TYPES:
        raise NumberingError(
            f"the type id mapping {path} maps type {old}, which the simulator never sends "
            "(its types are in docs/action-types.md)"
        )
    return old


def _new_id(path: Path, key: str, value: Any) -> int:
    # bool is an int in Python; JSON true is not a type id.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise NumberingError(
            f"the type id mapping {path} maps type {key} to {value!r}, "
            "which is not a positive whole number"
        )
    if value >= INVENTED_TYPE_BASE:
        raise NumberingError(
            f"the type id mapping {path} maps type {key} to {value}, but ids from "
            f"{INVENTED_TYPE_BASE} up are kept for --invent-types"
        )
    return value


def _refuse_clashes(path: Path, changes: dict[int, int]) -> None:
    """Two types under one id would merge them in any client: refuse that."""
    seen: dict[int, int] = {}
    for old in sorted(ACTION_TYPES):
        new = changes.get(old, old)
        if new in seen:
            raise NumberingError(
                f"the type id mapping {path} would send both type {seen[new]} and type {old} "
                f"as {new}"
            )
        seen[new] = old
