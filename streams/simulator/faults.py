"""Injected network faults (``--faults``): they add, repeat or cut frames, never change packets."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any, Final

# drop_code value for "cut the TCP connection without a close frame" (the client sees 1006).
ABORT: Final = "abort"
# drop_code value for "each of the ways in turn", so one run sees every close a client meets.
MIX: Final = "mix"
_DROP_CODES: Final = {"1000": 1000, "1001": 1001, "1011": 1011, ABORT: None}
# The order drop_code=mix takes them in; None is the TCP abort.
MIXED_DROP_CODES: Final = (1000, 1001, None, 1011)
GRAMMAR: Final = (
    "drop=N, drop_random=N, drop_code=1000|1001|1011|abort|mix, silence=AFTER:SECONDS, "
    "stall=N:SECONDS, malformed=N, repeat=N, reject_token=SECONDS, "
    "reject_token_every=PERIOD:SECONDS, http503=N, huge=N:BYTES, unsent=INDEX, seed=N"
)


@dataclass(frozen=True)
class FaultSpec:
    """Parsed fault options; ``None`` (or 0 seconds) means the fault is off."""

    drop: int | None = None
    drop_random: int | None = None  # on average once every N packets, at random positions
    drop_code: int | None = None  # None: abort the TCP connection
    drop_mix: bool = False  # each of MIXED_DROP_CODES in turn, instead of drop_code
    silence_after: int | None = None
    silence_seconds: float = 0.0
    stall_every: int | None = None  # a silence after a random packet, once in N on average
    stall_seconds: float = 0.0
    malformed: int | None = None
    repeat: int | None = None
    reject_token: float = 0.0
    reject_every: float = 0.0  # refuse tokens for reject_for s at the end of every period
    reject_for: float = 0.0
    http503: int | None = None
    huge_every: int | None = None
    huge_bytes: int = 0
    # The packet at this 0-based index is never sent on the websocket, though the REST
    # actions list holds it (a vendor whose post-match list knows more than its stream).
    unsent: int | None = None
    seed: int | None = None  # for the random faults; None: a different run each time

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
        for name in ("drop", "drop_random", "malformed", "repeat", "http503"):
            if getattr(self, name):
                parts.append(f"{name}={getattr(self, name)}")
        if self.drop or self.drop_random:
            parts.append(f"drop_code={MIX if self.drop_mix else self.drop_code or ABORT}")
        if self.silence_after is not None:
            parts.append(f"silence={self.silence_after}:{self.silence_seconds:g}")
        if self.stall_every is not None:
            parts.append(f"stall={self.stall_every}:{self.stall_seconds:g}")
        if self.reject_token:
            parts.append(f"reject_token={self.reject_token:g}")
        if self.reject_every:
            parts.append(f"reject_token_every={self.reject_every:g}:{self.reject_for:g}")
        if self.huge_every:
            parts.append(f"huge={self.huge_every}:{self.huge_bytes}")
        if self.unsent is not None:
            parts.append(f"unsent={self.unsent}")
        if self.seed is not None:
            parts.append(f"seed={self.seed}")
        return ",".join(parts) or "none"

    @property
    def active(self) -> bool:
        on = (getattr(self, f.name) for f in fields(self) if f.name not in ("seed", "unsent"))
        return any(on) or self.unsent is not None

    def refuses_token_at(self, seconds_since_first_attempt: float) -> bool:
        """Whether a token presented this long after the first connection attempt is refused:
        during the first ``reject_token`` seconds, and during the last ``reject_for`` seconds
        of every ``reject_every`` period (a token revoked mid-match, then accepted again)."""
        elapsed = seconds_since_first_attempt
        if self.reject_token and elapsed < self.reject_token:
            return True
        if self.reject_every and self.reject_for:
            return elapsed % self.reject_every >= self.reject_every - self.reject_for
        return False

    def drop_code_for(self, drop_number: int) -> int | None:
        """The close code of the ``drop_number``-th drop (0-based); None: a TCP abort."""
        if self.drop_mix:
            return MIXED_DROP_CODES[drop_number % len(MIXED_DROP_CODES)]
        return self.drop_code


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


def _pair(name: str, value: str, shape: str) -> tuple[str, str]:
    first, sep, second = value.partition(":")
    if not sep:
        raise ValueError(f"fault {name} needs {shape}, got {value!r}")
    return first, second


def _parse_one(name: str, value: str) -> dict[str, Any]:
    if name in ("drop", "drop_random", "malformed", "repeat", "http503"):
        return {name: _positive_int(name, value)}
    if name == "drop_code":
        if value == MIX:
            return {"drop_mix": True, "drop_code": None}
        if value not in _DROP_CODES:
            raise ValueError(
                f"fault drop_code must be one of 1000, 1001, 1011, abort, mix; got {value!r}"
            )
        return {"drop_code": _DROP_CODES[value], "drop_mix": False}
    if name == "silence":
        after, seconds = _pair(name, value, "AFTER:SECONDS")
        return {
            "silence_after": _positive_int(name, after),
            "silence_seconds": _seconds(name, seconds),
        }
    if name == "stall":
        every, seconds = _pair(name, value, "N:SECONDS")
        return {"stall_every": _positive_int(name, every), "stall_seconds": _seconds(name, seconds)}
    if name == "reject_token":
        return {"reject_token": _seconds(name, value)}
    if name == "huge":
        every, size = _pair(name, value, "N:BYTES")
        return {"huge_every": _positive_int(name, every), "huge_bytes": _positive_int(name, size)}
    if name == "reject_token_every":
        period, seconds = _pair(name, value, "PERIOD:SECONDS")
        length, refused = _seconds(name, period), _seconds(name, seconds)
        if not 0 < refused < length:
            raise ValueError(f"fault {name} needs 0 < SECONDS < PERIOD, got {value!r}")
        return {"reject_every": length, "reject_for": refused}
    if name == "unsent":
        try:
            index = int(value)
        except ValueError:
            index = -1
        if index < 0:
            raise ValueError(f"fault unsent needs a packet index (0 or more), got {value!r}")
        return {"unsent": index}
    if name == "seed":
        try:
            return {"seed": int(value)}
        except ValueError:
            raise ValueError(f"fault seed needs an integer, got {value!r}") from None
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

    Its data is unchanged (clients ignore unknown keys, docs/dde-protocol.md §5), but a client with
    a smaller size limit must reject it, and so never stores that packet.
    """
    packet = json.loads(frame)
    padding = max(0, size - len(frame.encode()))
    packet["padding"] = "x" * padding
    return json.dumps(packet, separators=(",", ":"), ensure_ascii=False)
