"""One fixture's feed: connect, authorise, watch, reconnect, resume (docs/dde-protocol.md §2-§4)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import (
    ConnectionClosed,
    InvalidStatus,
    PayloadTooBig,
    WebSocketException,
)
from websockets.http11 import Response

from streams.dde.backoff import Backoff
from streams.dde.bounds import MESSAGE_CHARS, clip
from streams.dde.endpoint import FeedEndpoint
from streams.dde.messages import (
    MAX_FRAME_BYTES,
    ControlMessage,
    DataPacket,
    FrameRejected,
    frame_size,
    parse_frame,
)
from streams.dde.secrecy import redact_token
from streams.dde.wire import AuthMessage

__all__ = [
    "AuthRejected",
    "Backoff",
    "Connected",
    "Disconnected",
    "Event",
    "FeedClient",
    "FeedEndpoint",
    "Rejected",
]

REJECTED_EXCERPT_CHARS = 4096
# The most the websockets library buffers for one frame. A frame between max_frame_bytes
# and this ceiling arrives whole and becomes a Rejected event on a live connection; a
# larger one makes the library close with 1009 before reading it (see _Drop.oversized).
FRAME_CEILING_BYTES = 64 * 1_048_576
# Waiting long for a closing handshake only delays the reconnect (or the consumer's exit).
_CLOSE_TIMEOUT = 1.0


class AuthRejected(Exception):
    """The feed refused the token: an ERROR reply to the auth message, or HTTP 401 (§2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Connected:
    """A connection was authorised; data resumes after ``start_position`` packets."""

    start_position: int
    attempt: int


@dataclass(frozen=True)
class Disconnected:
    """A connection ended (or never came up); the next attempt follows in ``retry_in`` s."""

    reason: str
    code: int | None  # the websocket close code, None when there was no websocket
    retry_in: float


@dataclass(frozen=True)
class Rejected:
    """A frame that could not be parsed; ``frame`` is its first few KB, ``size`` its bytes.

    ``too_big``: refused for its size alone, so most likely a real packet (the vendor's
    control messages are small).
    """

    frame: str
    size: int
    reason: str
    too_big: bool = False


Event = DataPacket | ControlMessage | Rejected | Connected | Disconnected


class Logger(Protocol):
    """The part of a structlog bound logger this client uses."""

    def info(self, event: str, /, **kw: Any) -> Any: ...

    def warning(self, event: str, /, **kw: Any) -> Any: ...


class _NoDebugLogger(logging.LoggerAdapter[logging.Logger]):
    """websockets logs upgrade headers and sent frames at DEBUG: both carry the token."""

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and super().isEnabledFor(level)


_LIBRARY_LOGGER = _NoDebugLogger(logging.getLogger("websockets.client"))


class _Dropped(Exception):
    """This connection is over; the caller reconnects. ``too_big``: the oversized frame's size."""

    def __init__(self, reason: str, code: int | None = None, too_big: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.too_big = too_big


@dataclass
class _Drop:
    """How the last connection ended, written by ``_connection`` for ``events``.

    ``oversized`` is set when a frame beyond the ceiling ended it: how many of the vendor's
    positions came before it on that connection (see ``_Positions``).
    """

    reason: str = "connection ended"
    code: int | None = None
    oversized: int | None = None


class FeedClient:
    """Yields everything one fixture's feed sends, across as many connections as it takes."""

    def __init__(
        self,
        endpoint: FeedEndpoint,
        *,
        watchdog_seconds: float = 30.0,
        connect_timeout: float = 10.0,
        backoff: Backoff | None = None,
        max_frame_bytes: int = MAX_FRAME_BYTES,
        frame_ceiling_bytes: int = FRAME_CEILING_BYTES,
        logger: Logger | None = None,
        before_connect: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """``before_connect`` is awaited before every connection attempt: the feed side
        passes a cluster-wide rate limit in here (``streams.feed.ratelimit``)."""
        if frame_ceiling_bytes < max_frame_bytes:
            raise ValueError("frame_ceiling_bytes must be at least max_frame_bytes")
        self._endpoint = endpoint
        self._watchdog = float(watchdog_seconds)
        self._connect_timeout = float(connect_timeout)
        self._backoff = backoff or Backoff()
        self._max_frame_bytes = max_frame_bytes
        self._frame_ceiling = frame_ceiling_bytes
        self._before_connect = before_connect
        # Resume no lower than this: set past a frame the vendor re-sends and we cannot read.
        self._resume_floor = 0
        self._log: Logger = logger or structlog.get_logger("streams.dde.client").bind(
            fixture=endpoint.fixture_id
        )

    async def events(self, start_position: Callable[[], int]) -> AsyncGenerator[Event, None]:
        """Connect, yield events, reconnect after any drop; runs until the consumer stops.

        ``start_position()`` is called right before each connection and must return the
        number of packets the consumer has stored: the resumed stream then neither skips
        nor repeats (§4, DESIGN.md "Position is the truth"). Raises only ``AuthRejected``
        (and whatever ``start_position`` raises); after that the generator is finished.
        """
        attempt = 0
        last_oversized: tuple[int, int] | None = None
        while True:
            attempt += 1
            drop = _Drop()
            position = max(start_position(), self._resume_floor)
            connection = self._connection(position, attempt, drop)
            async with aclosing(connection) as stream:  # closes the socket on aclose()
                async for event in stream:
                    yield event
            oversized = None if drop.oversized is None else (position, drop.oversized)
            if oversized is not None and oversized == last_oversized:
                self._skip_unreadable_frame(*oversized)
            last_oversized = oversized
            delay = self._backoff.next_delay()
            self._log.warning(
                "dde.disconnected", reason=drop.reason, code=drop.code, retry_in=round(delay, 3)
            )
            yield Disconnected(reason=drop.reason, code=drop.code, retry_in=delay)
            await self._backoff.sleep(delay)

    def _skip_unreadable_frame(self, position: int, positions_before: int) -> None:
        """Resume after a frame too big to read that the vendor sends at the same place.

        Two connections in a row from the same ``startPosition`` both ended at that frame
        after the same positions: it is the vendor's packet at ``position +
        positions_before``, re-sent on every resume (a frame never parsed never advances
        the position), so without this the listener would reconnect to it forever. The
        first time is never skipped: a frame a feed merely inserted is not met at the same
        place twice once the packets before it are stored.
        """
        self._resume_floor = max(self._resume_floor, position + positions_before + 1)
        self._log.warning(
            "dde.unreadable_frame_skipped",
            position=position + positions_before,
            resume_from=self._resume_floor,
        )

    async def _connection(
        self, position: int, attempt: int, drop: _Drop
    ) -> AsyncGenerator[Event, None]:
        url = self._endpoint.url(position)
        self._log.info("dde.connecting", url=url, start_position=position, attempt=attempt)
        if self._before_connect is not None:
            await self._before_connect()
        try:
            ws = await self._open(url)
        except _Dropped as exc:
            drop.reason, drop.code = exc.reason, exc.code
            return
        positions = _Positions()
        try:
            first = await self._authorise(ws)
            reply = first.message if isinstance(first, ControlMessage) else ""
            self._log.info(
                "dde.authorised",
                start_position=position,
                attempt=attempt,
                reply=self._redact(reply),
            )
            yield Connected(start_position=position, attempt=attempt)
            if isinstance(first, DataPacket):
                self._backoff.reset()
            positions.count(first)
            yield first
            while True:
                event = self._event(await self._receive(ws))
                self._backoff.reset()  # authorised and data flows: this connection worked
                positions.count(event)
                yield event
        except _Dropped as exc:
            drop.reason, drop.code = exc.reason, exc.code
            if exc.too_big is not None:
                drop.oversized = positions.seen
                yield self._too_big(exc.too_big)
        finally:
            await ws.close()

    def _too_big(self, size: int) -> Rejected:
        """``size`` is 0 when unknown: inflating a compressed frame stopped at the ceiling."""
        ceiling = self._frame_ceiling
        if size:
            reason = f"frame of {size} bytes exceeds the {ceiling}-byte websocket ceiling"
        else:
            reason = f"compressed frame inflates beyond the {ceiling}-byte websocket ceiling"
            size = ceiling + 1  # at least
        self._log.warning("dde.frame_rejected", reason=reason, size=size)
        return Rejected(frame="", size=size, reason=reason, too_big=True)

    async def _open(self, url: str) -> ClientConnection:
        try:
            return await connect(
                url,
                additional_headers=self._endpoint.headers(),
                open_timeout=self._connect_timeout,
                ping_interval=None,  # the watchdog on incoming frames is the liveness check
                close_timeout=_CLOSE_TIMEOUT,
                max_size=self._frame_ceiling,
                logger=_LIBRARY_LOGGER,
            )
        except InvalidStatus as exc:
            raise self._refused(exc.response) from None
        except TimeoutError:
            raise _Dropped(f"no connection within {self._connect_timeout} s") from None
        except (OSError, WebSocketException) as exc:
            raise _Dropped(self._redact(f"connection failed: {exc}")) from None

    def _refused(self, response: Response) -> Exception:
        body = clip(self._redact((response.body or b"").decode("utf-8", "replace")), 300)
        status = response.status_code
        if status == 401:  # §2.1: "The supplied authentication is invalid"
            self._log.warning("dde.auth_rejected", status=status, message=body)
            return AuthRejected(f"HTTP 401: {body}" if body else "HTTP 401")
        return _Dropped(f"upgrade refused with HTTP {status}" + (f": {body}" if body else ""))

    async def _authorise(self, ws: ClientConnection) -> DataPacket | ControlMessage | Rejected:
        # §2.2/§2.3: the first frame after the auth message is the verdict. Only an ERROR
        # reply refuses; the success text is undocumented, and some feeds may go straight
        # to data, which is then processed like any other frame.
        auth: AuthMessage = {"authToken": self._endpoint.token}
        try:
            await ws.send(json.dumps(auth))
        except ConnectionClosed as exc:
            raise self._closed(exc) from None
        first = self._event(await self._receive(ws))
        if isinstance(first, ControlMessage) and first.is_error:
            message = clip(self._redact(first.message or json.dumps(first.payload)), MESSAGE_CHARS)
            self._log.warning("dde.auth_rejected", message=message)
            raise AuthRejected(message)
        return first

    async def _receive(self, ws: ClientConnection) -> str | bytes:
        try:
            async with asyncio.timeout(self._watchdog):  # §3: heartbeats come every 10 s
                return await ws.recv()
        except TimeoutError:
            raise _Dropped(f"no frame for {self._watchdog} s") from None
        except ConnectionClosed as exc:
            raise self._closed(exc) from None

    def _event(self, frame: str | bytes) -> DataPacket | ControlMessage | Rejected:
        try:
            return parse_frame(frame, max_bytes=self._max_frame_bytes)
        except FrameRejected as exc:
            size = frame_size(frame)
            reason = self._redact(exc.reason)
            self._log.warning("dde.frame_rejected", reason=reason, size=size)
            return Rejected(
                frame=self._redacted_excerpt(frame),
                size=size,
                reason=reason,
                too_big=size > self._max_frame_bytes,
            )

    def _closed(self, exc: ConnectionClosed) -> _Dropped:
        cause = exc.__cause__
        if isinstance(cause, PayloadTooBig) and cause.message is None:
            # The library read only the frame's header and closed with 1009. A compressed
            # frame's size is known only up to the point where inflating it passed the limit.
            if cause.size is None:
                return _Dropped("a compressed frame inflated beyond the ceiling", 1009, too_big=0)
            size = cause.size + (cause.current_size or 0)
            return _Dropped(f"a frame of {size} bytes is over the ceiling", 1009, too_big=size)
        if exc.rcvd is not None:
            reason, code = f"closed by the server: {exc.rcvd}", exc.rcvd.code
        elif exc.sent is not None:  # we closed first, e.g. 1009 for a frame beyond max_size
            reason, code = f"closed by the client: {exc.sent}", exc.sent.code
        else:  # 1006: the TCP connection went away without a closing handshake
            reason, code = "connection lost without a close frame", 1006
        return _Dropped(self._redact(reason)[:300], code)

    def _redact(self, text: str) -> str:
        # Servers may echo what they were sent; the token must not reach logs or storage.
        return redact_token(text, self._endpoint.token)

    def _redacted_excerpt(self, frame: str | bytes) -> str:
        # Redacted before the cut, with room for the token in its longest (JSON-escaped)
        # form: a token across the cut would otherwise be stored in part.
        room = 6 * len(self._endpoint.token)
        return self._redact(_excerpt(frame, REJECTED_EXCERPT_CHARS + room))[:REJECTED_EXCERPT_CHARS]


class _Positions:
    """Counts the vendor's positions one connection has delivered since its startPosition.

    A distinct packet is one position, and so is a frame refused for its size (a packet we
    would not read). Repeats of a packet and malformed frames are not counted: a feed may
    add those between positions, and over-counting would skip a real packet.
    """

    def __init__(self) -> None:
        self.seen = 0
        self._keys: set[tuple[str, int | None]] = set()

    def count(self, event: DataPacket | ControlMessage | Rejected) -> None:
        if isinstance(event, DataPacket):
            if event.key not in self._keys:
                self._keys.add(event.key)
                self.seen += 1
        elif isinstance(event, Rejected) and event.too_big:
            self.seen += 1


def _excerpt(frame: str | bytes, chars: int = REJECTED_EXCERPT_CHARS) -> str:
    """The start of a frame as text that can be stored: no NUL, no lone surrogate."""
    head = frame[: chars * 4]
    text = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
    text = text[:chars].encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", "\ufffd")
