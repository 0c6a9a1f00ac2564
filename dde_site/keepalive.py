"""Bounded dead-peer detection: the TCP keepalive and timeout options of every connection.

Measured (issue #18): when a worker host is partitioned, no FIN or RST reaches Postgres, and
Postgres keeps the worker's session, and with it every advisory lock of its listeners, until
TCP keepalive gives up: two hours with Linux's defaults. Keepalives the server sends, asked
for per session with libpq's ``options`` (``-c tcp_keepalives_idle=...``), released the
lock in 9 s; client keepalives alone, or ``tcp_user_timeout`` alone, did not. So every
connection asks for both ends' probes, and a ``tcp_user_timeout`` so that a connection with
unanswered data (a query sent into the partition) fails as fast as an idle one.

``tcp_user_timeout`` overrides the probe count on Linux (the connection is dropped once that
long has passed without an acknowledgement, however many probes were sent), so it must be at
least idle + count x interval, or it would cut a connection before its probes are done.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class DeadPeerBounds:
    """How long a silent peer is given before its connection is declared dead."""

    idle_seconds: int  # quiet time before the first probe
    interval_seconds: int  # between unanswered probes
    count: int  # unanswered probes that end the connection
    user_timeout_seconds: float  # unacknowledged data (or probes) this long ends it
    connect_timeout_seconds: int

    def __post_init__(self) -> None:
        probes_done = self.idle_seconds + self.count * self.interval_seconds
        if self.user_timeout_seconds < probes_done:
            raise ImproperlyConfigured(
                f"Set TCP_USER_TIMEOUT_SECONDS to at least TCP_KEEPALIVE_IDLE_SECONDS + "
                f"TCP_KEEPALIVE_COUNT x TCP_KEEPALIVE_INTERVAL_SECONDS = {probes_done} "
                f"(it is {self.user_timeout_seconds:g}): it overrides the probe count."
            )

    @property
    def detection_seconds(self) -> float:
        """The longest a dead peer goes unnoticed, on either end: the user timeout."""
        return self.user_timeout_seconds

    def server_options(self) -> str:
        """libpq ``options``: the server's own keepalives and user timeout for this session,
        which is what frees a partitioned worker's advisory locks."""
        return " ".join(
            f"-c {name}={value}"
            for name, value in (
                ("tcp_keepalives_idle", self.idle_seconds),
                ("tcp_keepalives_interval", self.interval_seconds),
                ("tcp_keepalives_count", self.count),
                ("tcp_user_timeout", round(self.user_timeout_seconds * 1000)),
            )
        )

    def postgres_params(self) -> dict[str, Any]:
        """libpq connection parameters: client keepalives, user timeout, connect timeout, and
        the server-side ones in ``options`` (merge others in with ``merge_options``)."""
        return {
            "keepalives": 1,
            "keepalives_idle": self.idle_seconds,
            "keepalives_interval": self.interval_seconds,
            "keepalives_count": self.count,
            "tcp_user_timeout": round(self.user_timeout_seconds * 1000),
            "connect_timeout": self.connect_timeout_seconds,
            "options": self.server_options(),
        }

    def redis_socket_options(self) -> dict[int, int]:
        """``socket_keepalive_options`` for redis-py (set with setsockopt on each socket)."""
        return {
            socket.TCP_KEEPIDLE: self.idle_seconds,
            socket.TCP_KEEPINTVL: self.interval_seconds,
            socket.TCP_KEEPCNT: self.count,
            socket.TCP_USER_TIMEOUT: round(self.user_timeout_seconds * 1000),
        }


def merge_options(*options: str | None) -> str:
    """Several libpq ``options`` strings as one (libpq takes a single ``options``)."""
    return " ".join(part.strip() for part in options if part and part.strip())


def with_dead_peer_bounds(params: dict[str, Any], bounds: DeadPeerBounds) -> dict[str, Any]:
    """libpq parameters with the bounds added; a parameter already given (in DATABASE_URL's
    query string) wins, and ``options`` strings are joined, the given one last so that its
    ``-c`` settings win too."""
    merged = {**bounds.postgres_params(), **params}
    merged["options"] = merge_options(bounds.server_options(), params.get("options"))
    return merged
