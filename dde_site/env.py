"""Typed readers for environment variables that refuse bad values with one clear sentence."""

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"Set {name} to true or false (it is {raw!r}).")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"Set {name} to a whole number (it is {raw!r}).") from None
    if value < minimum:
        raise ImproperlyConfigured(f"Set {name} to at least {minimum} (it is {value}).")
    return value


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"Set {name} to a number (it is {raw!r}).") from None
    if value < minimum:
        raise ImproperlyConfigured(f"Set {name} to at least {minimum} (it is {value}).")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str, *, schemes: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().rstrip("/")
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in schemes:
        allowed = " or ".join(f"{s}://" for s in schemes)
        raise ImproperlyConfigured(
            f"Set {name} to a URL starting with {allowed} (it is {value!r})."
        )
    return value


def env_header(name: str, example: str) -> str:
    """A request header's name such as X-Real-IP, as its request.META key; empty if unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    if not re.fullmatch(r"[A-Za-z0-9-]+", raw):
        raise ImproperlyConfigured(
            f"Set {name} to a header name such as {example} (it is {raw!r})."
        )
    return "HTTP_" + raw.upper().replace("-", "_")


def env_proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """A header name such as X-Forwarded-Proto, as Django's SECURE_PROXY_SSL_HEADER pair."""
    header = env_header(name, "X-Forwarded-Proto")
    return (header, "https") if header else None
