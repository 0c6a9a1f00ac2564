"""What the simulator did to each fixture's connections, with times: faults and their ends.

Counters (``Stats``) say how many; the journal says when and to whom, so a test can tell
how long a client took to come back after a drop or to notice a stall, per fixture.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Final

# Connection events and faults only (never heartbeats or packets): a long fault run
# writes a few hundred thousand at most, and the oldest go first beyond that.
MAX_ENTRIES: Final = 500_000


@dataclass(frozen=True)
class Entry:
    """One event: ``at`` is ``time.monotonic()``; ``connection`` numbers the upgrades."""

    at: float
    fixture_id: str
    connection: int
    kind: str
    detail: str = ""


class Journal:
    """Entries in the order they happened; written from the server's loop only."""

    def __init__(self) -> None:
        self._entries: deque[Entry] = deque(maxlen=MAX_ENTRIES)

    def note(self, fixture_id: str, connection: int, kind: str, detail: str = "") -> None:
        self._entries.append(Entry(time.monotonic(), fixture_id, connection, kind, detail))

    def entries(self, fixture_id: str | None = None) -> list[Entry]:
        """A copy (safe to read from another thread), of one fixture or of all."""
        entries = list(self._entries)
        if fixture_id is None:
            return entries
        return [entry for entry in entries if entry.fixture_id == fixture_id]
