"""The comparison itself: identity by (actionId, fixtureSeqNum), values by parsed JSON."""

from __future__ import annotations

import json
from typing import Any

from streams.reconcile.compare import StoredRow, compare


def packet(action: str, seq: int, **extra: Any) -> dict[str, Any]:
    return {
        "fixtureAction": {"actionId": action, "fixtureSeqNum": seq, "type": "Goal", **extra},
        "fixtureSummary": {"fixtureStatus": "Live"},
    }


ACTIONS = [f"00000000-0000-4000-8000-{n:012d}" for n in range(6)]
VENDOR = [packet(a, n + 1) for n, a in enumerate(ACTIONS)]


def stored(elements: list[dict[str, Any]], *, spaced: bool = False) -> list[StoredRow]:
    rows = []
    for position, element in enumerate(elements):
        action = element["fixtureAction"]
        raw = json.dumps(element, indent=2 if spaced else None, sort_keys=spaced)
        rows.append(StoredRow(position, action["actionId"], action["fixtureSeqNum"], raw, {}))
    return rows


def test_the_same_packets_in_another_spelling_are_equal() -> None:
    result = compare(stored(VENDOR, spaced=True), VENDOR)
    assert result.exact
    assert result.lines() == []


def test_a_packet_missing_in_the_middle_is_named_once_not_as_a_shift() -> None:
    result = compare(stored(VENDOR[:2] + VENDOR[3:]), VENDOR)
    assert [m["vendor_position"] for m in result.missing] == [2]
    assert not result.extra and not result.different and not result.out_of_order
    assert result.lines() == [
        f"missing: vendor position 2 (actionId {ACTIONS[2]}, fixtureSeqNum 3)"
    ]


def test_extra_different_and_out_of_order_are_told_apart() -> None:
    changed = packet(ACTIONS[1], 2, type="Yellow card")
    ours = [VENDOR[0], changed, VENDOR[3], VENDOR[2], VENDOR[4], VENDOR[5], packet("x", 99)]
    result = compare(stored(ours), VENDOR)
    assert [d["position"] for d in result.different] == [1]
    assert result.different[0]["keys"] == ["fixtureAction"]
    assert [e["position"] for e in result.extra] == [6]
    assert len(result.out_of_order) == 1
    assert not result.exact and not result.repaired


def test_a_packet_appended_by_a_repair_is_out_of_order_but_repaired() -> None:
    ours = VENDOR[:2] + VENDOR[3:] + [VENDOR[2]]
    result = compare(stored(ours), VENDOR, appended=frozenset({5}))
    assert [o["position"] for o in result.out_of_order] == [5]
    assert not result.exact
    assert result.repaired


def test_vendor_elements_that_are_not_packets_or_repeat_one_are_listed_not_matched() -> None:
    result = compare(stored(VENDOR), [*VENDOR, {"message": "hello"}, VENDOR[0]])
    assert result.exact
    assert [u["vendor_position"] for u in result.unusable] == [6, 7]
