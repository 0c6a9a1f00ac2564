"""The secrets that must never be shown, and the one function that hides them in text."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

REDACTED = "[redacted]"
# Shorter values would blank out ordinary words; a real token is far longer than this.
_MIN_SECRET_CHARS = 6


def secret_values() -> list[str]:
    """The DDE token, SECRET_KEY and the passwords in the service URLs, read from settings
    at each call (tests and operators change them at run time), longest first."""
    if not settings.configured:
        return []
    found = [
        getattr(settings, "DDE_AUTH_TOKEN", ""),
        getattr(settings, "SECRET_KEY", ""),
        *(_password(getattr(settings, name, "")) for name in ("DATABASE_URL", "REDIS_URL")),
    ]
    return sorted({value for value in found if len(value) >= _MIN_SECRET_CHARS}, key=len)[::-1]


def redact(text: str) -> str:
    """``text`` with every secret value replaced by ``[redacted]``."""
    for secret in secret_values():
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _password(url: str) -> str:
    try:
        return urlsplit(url).password or ""
    except ValueError:
        return ""
