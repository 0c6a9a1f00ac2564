"""The DDE token taken out of whatever the vendor sends back, on the websocket and REST alike.

Servers echo what they were sent (``{"error": "token rejected: Bearer <token>"}``); what
they answer becomes log lines, exception messages, admin messages (kept in a cookie) and
command output, so the token is replaced before any of that text leaves the client, and
before it is cut to length, so that no cut can leave half of it.
"""

from __future__ import annotations

import functools
import json
from typing import Final
from urllib.parse import quote, quote_plus

REDACTED_TOKEN: Final = "[token]"


def redact_token(text: str, token: str) -> str:
    """``text`` with the token, as sent or as a JSON string or a URL would escape it,
    replaced by ``[token]``."""
    if not token:
        return text
    for form in _forms(token):
        if form in text:
            text = text.replace(form, REDACTED_TOKEN)
    return text


@functools.lru_cache(maxsize=8)
def _forms(token: str) -> tuple[str, ...]:
    escaped = json.dumps(token)[1:-1]
    forms = {
        token,
        escaped,
        escaped.replace("/", "\\/"),
        json.dumps(token, ensure_ascii=False)[1:-1],
        quote(token, safe=""),
        quote_plus(token, safe=""),
    }
    return tuple(sorted(forms, key=len, reverse=True))


# The most of a refused value an error message quotes.
EXCERPT_CHARS: Final = 80


def excerpt(value: object) -> str:
    """A refused value for an error message: quoted whole (``repr``) when short, else only
    described. Never cut: a cut could keep part of the token, which redaction (it needs the
    whole token to find it) would then miss."""
    text = repr(value)
    if len(text) <= EXCERPT_CHARS:
        return text
    return f"a {type(value).__name__} of {len(str(value)):,} characters, not quoted"
