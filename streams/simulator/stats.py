"""Counters a running simulator keeps, for tests, benchmarks and its own log."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass
class Stats:
    """Plain counters, only written from the server's event loop; other threads read them.

    ``packets_sent`` counts packets of the match only; repeated and malformed
    frames sent by faults have their own counters.
    """

    upgrades: int = 0
    connections: int = 0
    open_connections: int = 0
    rejected_upgrades: int = 0
    http503: int = 0
    auth_ok: int = 0
    auth_failed: int = 0
    packets_sent: int = 0
    heartbeats_sent: int = 0
    repeats_sent: int = 0
    malformed_sent: int = 0
    huge_sent: int = 0
    silences: int = 0
    drops: int = 0
    client_frames_ignored: int = 0
    rest_requests: int = 0

    def snapshot(self) -> dict[str, int]:
        return dataclasses.asdict(self)
