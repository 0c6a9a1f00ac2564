"""Where and how to connect to a fixture's Live Actions websocket (docs/dde-protocol.md §1, §4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

ACCEPT = "application/vnd.imggaming.dde.api+json;version=1"
SPEEDS = ("fast", "normal")


@dataclass(frozen=True)
class FeedEndpoint:
    """One fixture's feed. ``streams_url`` is the base, e.g. ``wss://host`` or ``ws://h/prefix``."""

    streams_url: str
    fixture_id: str
    token: str = field(repr=False)  # never logged, never part of a URL
    sport: str = "soccer"
    media: bool = False
    speed: str | None = None

    def __post_init__(self) -> None:
        # Fail at construction: a bad setting would otherwise be retried forever.
        if urlsplit(self.streams_url).scheme not in ("ws", "wss"):
            raise ValueError(f"streams_url must start with ws:// or wss://: {self.streams_url!r}")
        if self.speed is not None and self.speed not in SPEEDS:
            raise ValueError(f"speed must be one of {SPEEDS} or None, not {self.speed!r}")
        if not self.fixture_id or not self.sport:
            raise ValueError("fixture_id and sport must not be empty")

    def url(self, start_position: int) -> str:
        """The websocket URL resuming after ``start_position`` packets (§4: skip N)."""
        if start_position < 0:
            raise ValueError(f"start_position must be >= 0, not {start_position}")
        base = urlsplit(self.streams_url)
        prefix = "/media" if self.media else ""
        path = (
            f"{base.path.rstrip('/')}{prefix}/{quote(self.sport, safe='')}"
            f"/fixtures/{quote(self.fixture_id, safe='')}/actions"
        )
        query = parse_qsl(base.query, keep_blank_values=True)
        query.append(("startPosition", str(start_position)))
        if self.speed:
            query.append(("speed", self.speed))
        return urlunsplit((base.scheme, base.netloc, path, urlencode(query), ""))

    def headers(self) -> dict[str, str]:
        """Upgrade headers: both, though §2.1 says soccer only reads the auth message."""
        return {"Accept": ACCEPT, "Authorization": f"Bearer {self.token}"}
