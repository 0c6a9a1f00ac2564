"""The signature on a webhook delivery: HMAC-SHA256 of ``timestamp + "." + body``.

docs/api.md shows a receiver the same check in a few lines of Python.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-DDE-Signature"
TIMESTAMP_HEADER = "X-DDE-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
EVENTS_HEADER = "X-DDE-Events"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signed: str) -> bool:
    """What a receiver does (besides refusing an old timestamp)."""
    try:
        expected = signature(secret, int(timestamp), body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, signed)


def idempotency_key(fixture_id: object, position: int) -> str:
    return f"{fixture_id}:{position}"
