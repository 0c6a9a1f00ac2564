"""Injected network faults (``--faults``): they add, repeat or cut frames, never change packets."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any, Final

# drop_code value for "cut the TCP connection without a close frame" (the client sees 1006).
ABORT: Final = "abort"
_DROP_CODES: Final = {"1000": 1000, "1001": 1001, "1011": 1011, ABORT: None}
GRAMMAR: Final = (
    "drop=N, drop_code=1000|1001|1011|abort, silence=AFTER:SECONDS, malformed=N, "
    "repeat=N, reject_token=SECONDS, http503=N, huge=N:BYTES"
)


@dataclass(frozen=True)
class FaultSpec:
    """Parsed fault options; ``None`` (or 0 seconds) means the fault is off."""

    drop: int | None = None
    drop_code: int | None = None  # None: abort the TCP connection
    silence_after: int | None = None
    silence_seconds: float = 0.0
    malformed: int | None = None
    repeat: int | None = None
    reject_token: float = 0.0
    http503: int | None = None
    huge_every: int | None = None
    huge_bytes: int = 0

    @classmethod
    def parse(cls, spec: str) -> FaultSpec:
        """Parse ``name=value`` pairs separated by commas; raises ValueError on anything else."""
        values: dict[str, Any] = {}
        for item in (part.strip() for part in spec.split(",")):
            if not item:
                continue
            name, sep, value = item.partition("=")
            name, value = name.strip(), value.strip()
            if not sep or not value:
                raise ValueError(f"fault {item!r} needs a value (name=value); known: {GRAMMAR}")
            values.update(_parse_one(name, value))
        return cls(**values)

    def __str__(self) -> str:
        parts = []
        for name in ("drop", "malformed", "repeat", "http503"):
            if getattr(self, name):
                parts.append(f"{name}={getattr(self, name)}")
        if self.drop:
            parts.append(f"drop_code={self.drop_code or ABORT}")
        if self.silence_after is not None:
            parts.append(f"silence={self.silence_after}:{self.silence_seconds:g}")
        if self.reject_token:
            parts.append(f"reject_token={self.reject_token:g}")
        if self.huge_every:
            parts.append(f"huge={self.huge_every}:{self.huge_bytes}")
        return ",".join(parts) or "none"

    @property
    def active(self) -> bool:
        return any(getattr(self, field.name) for field in fields(self))


def _positive_int(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"fault {name} needs a positive integer, got {value!r}")
    return number


def _seconds(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number >= 0:
        raise ValueError(f"fault {name} needs a number of seconds, got {value!r}")
    return number


def _parse_one(name: str, value: str) -> dict[str, Any]:
    if name in ("drop", "malformed", "repeat", "http503"):
        return {name: _positive_int(name, value)}
    if name == "drop_code":
        if value not in _DROP_CODES:
            raise ValueError(
                f"fault drop_code must be one of 1000, 1001, 1011, abort; got {value!r}"
            )
        return {"drop_code": _DROP_CODES[value]}
    if name == "silence":
        after, sep, seconds = value.partition(":")
        if not sep:
            raise ValueError(f"fault silence needs AFTER:SECONDS, got {value!r}")
        return {
            "silence_after": _positive_int("silence", after),
            "silence_seconds": _seconds("silence", seconds),
        }
    if name == "reject_token":
        return {"reject_token": _seconds(name, value)}
    if name == "huge":
        every, sep, size = value.partition(":")
        if not sep:
            raise ValueError(f"fault huge needs N:BYTES, got {value!r}")
        return {
            "huge_every": _positive_int("huge", every),
            "huge_bytes": _positive_int("huge", size),
        }
    raise ValueError(f"unknown fault {name!r}; known: {GRAMMAR}")


MALFORMED_KINDS: Final = (
    "invalid_json",
    "truncated_json",
    "json_array",
    "missing_action_id",
    "binary",
)


def malformed_frame(kind_index: int, frame: str) -> str | bytes:
    """A bad frame built from a real one; kinds cycle in ``MALFORMED_KINDS`` order."""
    kind = MALFORMED_KINDS[kind_index % len(MALFORMED_KINDS)]
    if kind == "invalid_json":
        return '{"fixtureAction": {"actionId": ' + "not-json}}"
    if kind == "truncated_json":
        return frame[: max(1, len(frame) // 2)]
    if kind == "json_array":
        return f"[{frame}]"
    if kind == "missing_action_id":
        packet = json.loads(frame)
        del packet["fixtureAction"]["actionId"]
        return json.dumps(packet, separators=(",", ":"), ensure_ascii=False)
    return bytes(range(0x80, 0xA0)) + b"\x00\xff garbage \xfe"


def huge_frame(frame: str, size: int) -> str:
    """The packet ``frame`` padded with an unknown key (``padding``) to at least ``size`` bytes.

    Its data is unchanged (clients ignore unknown keys, PROTOCOL.md §5), but a client with
    a smaller size limit must reject it, and so never stores that packet.
    """
    packet = json.loads(frame)
    padding = max(0, size - len(frame.encode()))
    packet["padding"] = "x" * padding
    return json.dumps(packet, separators=(",", ":"), ensure_ascii=False)
