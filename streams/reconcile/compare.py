"""The stored log against the vendor's post-match actions list, position by position.

Both sides are read as packets: identity is (actionId, fixtureSeqNum), as the writer
stores them (a repeat of a stored version takes no position). The vendor's list is the
order the vendor says; a stored packet is matched to the vendor element with its
identity, wherever it stands, so one packet missing in the middle is named once, not as
a shift of every later position.

"Different" means different values: the packet's JSON text as received (``Packet.raw``),
parsed, against the vendor's element as parsed from the list. Key order, spacing and
number spelling are not differences (the vendor's list is a different serialisation of
the same packets), but any changed, added or missing key or value is. A packet stored
before its text was kept (empty ``raw``) is compared by its jsonb payload.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from streams.dde.messages import DataPacket, FrameRejected, parse_frame

Key = tuple[str, int | None]


@dataclass(frozen=True)
class StoredRow:
    position: int
    action_id: str
    fixture_seq_num: int | None
    raw: str
    payload: Any

    @property
    def key(self) -> Key:
        return self.action_id, self.fixture_seq_num

    def value(self) -> Any:
        if self.raw:
            try:
                return json.loads(self.raw)
            except ValueError:
                pass
        return self.payload


@dataclass
class Comparison:
    """What differs; positions are the stored log's, vendor positions the list's index."""

    stored_count: int
    vendor_count: int
    # Vendor elements with no stored packet of their identity.
    missing: list[dict[str, Any]] = field(default_factory=list)
    # Stored packets the vendor's list does not hold.
    extra: list[dict[str, Any]] = field(default_factory=list)
    # Same identity, different values.
    different: list[dict[str, Any]] = field(default_factory=list)
    # Stored in another order than the vendor lists them (fewest positions that explain it).
    out_of_order: list[dict[str, Any]] = field(default_factory=list)
    # Vendor elements that are not data packets, or repeat an identity listed before.
    unusable: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        """The log holds the vendor's packets, the same values, in the vendor's order."""
        return not (self.missing or self.extra or self.different or self.out_of_order)

    @property
    def repaired(self) -> bool:
        """Not exact only because audited repairs appended packets out of order."""
        return not (self.missing or self.extra or self.different) and all(
            item.get("appended_by_repair") for item in self.out_of_order
        )

    def lines(self) -> list[str]:
        """One line per difference, for the command and admin."""
        out = []
        for item in self.missing:
            out.append(
                f"missing: vendor position {item['vendor_position']} "
                f"(actionId {item['action_id']}, fixtureSeqNum {item['fixture_seq_num']})"
            )
        for item in self.extra:
            out.append(
                f"extra: position {item['position']} "
                f"(actionId {item['action_id']}, fixtureSeqNum {item['fixture_seq_num']})"
            )
        for item in self.different:
            out.append(
                f"different: position {item['position']} vs vendor position "
                f"{item['vendor_position']} (actionId {item['action_id']}, "
                f"fixtureSeqNum {item['fixture_seq_num']}; keys {', '.join(item['keys'])})"
            )
        for item in self.out_of_order:
            out.append(
                f"out of order: position {item['position']} is vendor position "
                f"{item['vendor_position']} (actionId {item['action_id']})"
                + (" - appended by a repair" if item.get("appended_by_repair") else "")
            )
        for item in self.unusable:
            out.append(f"unusable vendor element {item['vendor_position']}: {item['reason']}")
        return out


def parse_vendor(element: dict[str, Any]) -> DataPacket:
    """A vendor list element read as the listener reads a frame; raises FrameRejected."""
    packet = parse_frame(json.dumps(element, ensure_ascii=False))
    if not isinstance(packet, DataPacket):
        raise FrameRejected("not a data packet (no fixtureAction)")
    return packet


def compare(
    stored: Iterable[StoredRow],
    vendor: Sequence[dict[str, Any]],
    appended: frozenset[int] = frozenset(),
) -> Comparison:
    """``appended``: stored positions an audited repair appended (``LogRepair``)."""
    rows = sorted(stored, key=lambda row: row.position)
    result = Comparison(stored_count=len(rows), vendor_count=len(vendor))
    listed: dict[Key, int] = {}
    for index, element in enumerate(vendor):
        try:
            key = parse_vendor(element).key
        except FrameRejected as exc:
            result.unusable.append({"vendor_position": index, "reason": str(exc)})
            continue
        if key in listed:
            result.unusable.append(
                {"vendor_position": index, "reason": f"repeats vendor position {listed[key]}"}
            )
            continue
        listed[key] = index
    seen: set[Key] = set()
    matched: list[tuple[int, int]] = []  # (stored position, vendor position), stored order
    for row in rows:
        found = listed.get(row.key)
        if found is None:
            result.extra.append(_identity(row.key, position=row.position))
            continue
        index = found
        seen.add(row.key)
        matched.append((row.position, index))
        keys = _differing_keys(row.value(), vendor[index])
        if keys:
            result.different.append(
                _identity(row.key, position=row.position, vendor_position=index, keys=keys)
            )
    for key, index in listed.items():
        if key not in seen:
            result.missing.append(_identity(key, vendor_position=index))
    result.missing.sort(key=lambda item: item["vendor_position"])
    in_order = _longest_increasing([i for _, i in matched])
    by_index = {index: key for key, index in listed.items()}
    for position, index in matched:
        if index not in in_order:
            item = _identity(by_index[index], position=position, vendor_position=index)
            if position in appended:
                item["appended_by_repair"] = True
            result.out_of_order.append(item)
    return result


def _identity(key: Key, **extra: Any) -> dict[str, Any]:
    return {"action_id": key[0], "fixture_seq_num": key[1], **extra}


def _differing_keys(ours: Any, theirs: Any) -> list[str]:
    """Top-level keys whose values differ (``"(whole)"`` when either is not an object)."""
    if ours == theirs:
        return []
    if not isinstance(ours, dict) or not isinstance(theirs, dict):
        return ["(whole)"]
    return sorted(
        k for k in ours.keys() | theirs.keys() if ours.get(k, _ABSENT) != theirs.get(k, _ABSENT)
    )


_ABSENT = object()


def _longest_increasing(sequence: list[int]) -> set[int]:
    """The values of one longest increasing subsequence: what is in order (patience sort)."""
    tails: list[int] = []  # tails[k]: index into sequence of the smallest tail of length k+1
    tail_values: list[int] = []
    parent: list[int] = [-1] * len(sequence)
    for i, value in enumerate(sequence):
        k = bisect.bisect_left(tail_values, value)
        parent[i] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(i)
            tail_values.append(value)
        else:
            tails[k] = i
            tail_values[k] = value
    kept: set[int] = set()
    i = tails[-1] if tails else -1
    while i >= 0:
        kept.add(sequence[i])
        i = parent[i]
    return kept
