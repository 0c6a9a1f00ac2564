"""Who may read the API: holders of an API token, or staff signed in to the site; and how often."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import math
import re
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from streams.models import ApiToken, Scope, hash_api_key

if TYPE_CHECKING:
    # rest_framework.views imports this module (as a default authentication class).
    from rest_framework.views import APIView

log = logging.getLogger(__name__)

# What ApiToken.issue() makes: checked before any query, so junk never reaches the database.
KEY_PATTERN = re.compile(r"dde_[A-Za-z0-9_-]{43}")
# Writing last_used on every request would make each read a write; a minute is precise enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenUser:
    """Stands in for a user on a token's requests: authenticated, never staff."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_active = True
    pk = None

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.username = f"token:{token.prefix}"

    def __str__(self) -> str:
        return self.username


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` or ``Authorization: Bearer <key>``."""

    keywords = (b"token", b"bearer")

    def authenticate(self, request: Request) -> tuple[TokenUser, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the header as 'Token <key>'.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = find_token(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        _touch(token)
        return TokenUser(token), token

    def authenticate_header(self, request: Request) -> str:
        # A challenge makes DRF answer 401, not 403, to a request with no credentials.
        return 'Token realm="api"'


def find_token(key: str) -> ApiToken | None:
    """The live token whose key this is, or None; the hashes are compared in constant time."""
    if not KEY_PATTERN.fullmatch(key):
        return None
    digest = hash_api_key(key)
    candidates = ApiToken.objects.filter(prefix=key[: ApiToken.PREFIX_LENGTH], revoked=False)
    for token in candidates:
        if hmac.compare_digest(token.key_hash, digest):
            return token
    return None


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now


class IsApiReader(BasePermission):
    """A live API token with the read scope, or a signed-in staff member (the match
    centre's export links)."""

    message = "A staff account or an API token is needed."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if isinstance(request.auth, ApiToken):
            if request.auth.has_scope(Scope.READ):
                return True
            self.message = "This API token has no read scope; it may only stream (the relay)."
            return False
        return bool(request.user and request.user.is_staff)


class ApiThrottle(BaseThrottle):
    """A fixed-window request count per token (or staff member), shared through Redis.

    The count is one atomic INCR per request, so several web processes share a limit
    without a lost update. If Redis is unreachable the request is let through: the API
    keeps answering and the throttle is back when Redis is.
    """

    def __init__(self) -> None:
        self.retry_after: float | None = None

    def allow_request(self, request: Request, view: APIView) -> bool:
        who = self.identity(request)
        if who is None:
            return True
        limit, period = parse_rate(settings.API_THROTTLE_RATE)
        now = time.time()
        window = int(now // period)
        key = f"throttle:{who}:{window}"
        cache = caches["api"]
        try:
            cache.add(key, 0, timeout=period + 1)
            count = cache.incr(key)
        except Exception:  # redis-py's errors, and OSError beneath them
            log.warning("api.throttle_unavailable", exc_info=True)
            return True
        if count <= limit:
            return True
        self.retry_after = (window + 1) * period - now
        return False

    def wait(self) -> float | None:
        # DRF writes Retry-After as a whole number of seconds: round up, never to 0.
        return None if self.retry_after is None else max(1, math.ceil(self.retry_after))

    @staticmethod
    def identity(request: Request) -> str | None:
        if isinstance(request.auth, ApiToken):
            # The hash, not the id: ids repeat across databases sharing one Redis.
            return f"token:{request.auth.key_hash[:24]}"
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return None


def parse_rate(rate: str) -> tuple[int, int]:
    """``"120/min"`` -> (120, 60). Accepts s, sec, m, min, h, hour, d, day."""
    count, _, unit = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit.strip()[:1].lower()]
    return int(count), seconds
