"""One fixture's feed: connect, authorise, watch, reconnect and resume (PROTOCOL.md §2-§4)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException
from websockets.http11 import Response

from streams.dde.backoff import Backoff
from streams.dde.endpoint import FeedEndpoint
from streams.dde.messages import (
    MAX_FRAME_BYTES,
    ControlMessage,
    DataPacket,
    FrameRejected,
    frame_size,
    parse_frame,
)
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
# A frame over max_frame_bytes should become a Rejected event on a live connection, so the
# library's own limit (which closes the connection with 1009) sits well above ours.
_LIBRARY_SIZE_FACTOR = 16
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
    """A frame that could not be parsed; ``frame`` is its first few KB, ``size`` its bytes."""

    frame: str
    size: int
    reason: str


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
    """This connection is over; the caller reconnects."""

    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass
class _Drop:
    """How the last connection ended, written by ``_connection`` for ``events``."""

    reason: str = "connection ended"
    code: int | None = None


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
        logger: Logger | None = None,
    ) -> None:
        self._endpoint = endpoint
        self._watchdog = float(watchdog_seconds)
        self._connect_timeout = float(connect_timeout)
        self._backoff = backoff or Backoff()
        self._max_frame_bytes = max_frame_bytes
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
        while True:
            attempt += 1
            drop = _Drop()
            connection = self._connection(start_position(), attempt, drop)
            async with aclosing(connection) as stream:  # closes the socket on aclose()
                async for event in stream:
                    yield event
            delay = self._backoff.next_delay()
            self._log.warning(
                "dde.disconnected", reason=drop.reason, code=drop.code, retry_in=round(delay, 3)
            )
            yield Disconnected(reason=drop.reason, code=drop.code, retry_in=delay)
            await self._backoff.sleep(delay)

    async def _connection(
        self, position: int, attempt: int, drop: _Drop
    ) -> AsyncGenerator[Event, None]:
        url = self._endpoint.url(position)
        self._log.info("dde.connecting", url=url, start_position=position, attempt=attempt)
        try:
            ws = await self._open(url)
        except _Dropped as exc:
            drop.reason, drop.code = exc.reason, exc.code
            return
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
            yield first
            while True:
                event = self._event(await self._receive(ws))
                self._backoff.reset()  # authorised and data flows: this connection worked
                yield event
        except _Dropped as exc:
            drop.reason, drop.code = exc.reason, exc.code
        finally:
            await ws.close()

    async def _open(self, url: str) -> ClientConnection:
        try:
            return await connect(
                url,
                additional_headers=self._endpoint.headers(),
                open_timeout=self._connect_timeout,
                ping_interval=None,  # the watchdog on incoming frames is the liveness check
                close_timeout=_CLOSE_TIMEOUT,
                max_size=self._max_frame_bytes * _LIBRARY_SIZE_FACTOR,
                logger=_LIBRARY_LOGGER,
            )
        except InvalidStatus as exc:
            raise self._refused(exc.response) from None
        except TimeoutError:
            raise _Dropped(f"no connection within {self._connect_timeout} s") from None
        except (OSError, WebSocketException) as exc:
            raise _Dropped(self._redact(f"connection failed: {exc}")) from None

    def _refused(self, response: Response) -> Exception:
        body = self._redact((response.body or b"").decode("utf-8", "replace").strip())[:300]
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
            message = self._redact(first.message or json.dumps(first.payload))
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
            return Rejected(frame=self._redact(_excerpt(frame)), size=size, reason=reason)

    def _closed(self, exc: ConnectionClosed) -> _Dropped:
        if exc.rcvd is not None:
            reason, code = f"closed by the server: {exc.rcvd}", exc.rcvd.code
        elif exc.sent is not None:  # we closed first, e.g. 1009 for a frame beyond max_size
            reason, code = f"closed by the client: {exc.sent}", exc.sent.code
        else:  # 1006: the TCP connection went away without a closing handshake
            reason, code = "connection lost without a close frame", 1006
        return _Dropped(self._redact(reason)[:300], code)

    def _redact(self, text: str) -> str:
        # Servers may echo what they were sent; the token must not reach logs or storage.
        token = self._endpoint.token
        return text.replace(token, "[token]") if token else text


def _excerpt(frame: str | bytes) -> str:
    """The start of a frame as text that can be stored: no NUL, no lone surrogate."""
    head = frame[: REJECTED_EXCERPT_CHARS * 4]
    text = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
    text = text[:REJECTED_EXCERPT_CHARS].encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", "\ufffd")
