"""What docs/dde-protocol.md "What we accept" promises of the values kept from a packet."""

from __future__ import annotations

import json
from typing import Any

from streams.dde.bounds import (
    METADATA_CHARS,
    METADATA_DEPTH,
    METADATA_ENTRIES,
    METADATA_KEY_CHARS,
    METADATA_TEXT_CHARS,
    METADATA_VALUES,
    is_clean,
)


def count_values(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(1 + count_values(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(count_values(v) for v in value)
    return 1


def assert_within_metadata_bounds(value: Any, depth: int = 1) -> None:
    """What docs/dde-protocol.md "What we accept" promises of an action's metadata."""
    assert count_values(value) <= METADATA_VALUES + 1
    # Characters counted, each at most doubled by JSON's escapes, and punctuation.
    assert len(json.dumps(value, ensure_ascii=False)) <= 2 * METADATA_CHARS + 4 * METADATA_VALUES
    _assert_level(value, depth)


def _assert_level(value: Any, depth: int) -> None:
    if isinstance(value, dict):
        assert depth <= METADATA_DEPTH and len(value) <= METADATA_ENTRIES
        for key, item in value.items():
            assert isinstance(key, str) and is_clean(key, METADATA_KEY_CHARS)
            _assert_level(item, depth + 1)
    elif isinstance(value, list):
        assert depth <= METADATA_DEPTH and len(value) <= METADATA_ENTRIES
        for item in value:
            _assert_level(item, depth + 1)
    elif isinstance(value, str):
        assert is_clean(value, METADATA_TEXT_CHARS)
    elif isinstance(value, float):
        assert value == value and abs(value) != float("inf")
    else:
        assert value is None or isinstance(value, bool | int)
