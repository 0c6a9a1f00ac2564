"""A real HTTP receiver on a free loopback port that fails as told, and deduplicates."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from streams.webhooks import signing

SECRET = "a-receiver-secret-for-the-tests"

# What the receiver does with one request: answer 200, answer 500, or take the body and
# then hold the answer past the sender's timeout (so the sender retries what the receiver
# already processed: the idempotency key must make that harmless).
OK, FAIL, HANG = "ok", "500", "hang"


@dataclass
class Receiver:
    """Records every request; processes each idempotency key once."""

    plan: Callable[[int], str] = lambda n: OK
    requests: int = 0
    bad_signatures: int = 0
    duplicates: int = 0
    processed: list[dict[str, Any]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    release: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook?token=receivers-own"

    def handle(self, headers: Any, body: bytes) -> int:
        with self.lock:
            number = self.requests
            self.requests += 1
            decision = self.plan(number)
            if decision == FAIL:
                return 500
            if not signing.verify(
                SECRET,
                headers[signing.TIMESTAMP_HEADER],
                body,
                headers[signing.SIGNATURE_HEADER],
            ):
                self.bad_signatures += 1
                return 401
            key = headers[signing.IDEMPOTENCY_HEADER]
            if key in self.keys:
                self.duplicates += 1
            else:
                self.keys.add(key)
                self.processed.append(json.loads(body))
        if decision == HANG:
            self.release.wait(5)
        return 204

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.handle(self.headers, body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Close the port: the sender's connections are refused until ``start``."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def positions(self, fixture_id: object) -> list[int]:
        with self.lock:
            return [p["position"] for p in self.processed if p["fixture"]["id"] == str(fixture_id)]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.start()
    yield r
    r.release.set()
    r.stop()


@pytest.fixture
def quick_retries(settings: Any) -> None:
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.02
    settings.WEBHOOK_RETRY_MAX_SECONDS = 0.2
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
