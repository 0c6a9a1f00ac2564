"""Admin login lockout (django-axes): which logins are counted, and who the client is."""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest


class LoginLockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """django-axes' check, for logins made through a request (the admin's login form).

    First in ``AUTHENTICATION_BACKENDS``: a username and client over the failure limit is
    refused before any password is checked. Outside a request (a management command, the
    shell, the test client's ``login()``) there is no visitor to count or refuse, and
    django-axes would raise instead of answering, so this backend stands aside there.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        return None


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The username django-axes counts and stores, no longer than any account's can be.

    django-axes stores it whole in a 255-character column, so a longer one (scanners send
    them) failed the login with a 500 (jazzband/django-axes#1381). No account has a name
    over the username field's length, so clipping to it merges no real user's count.
    """
    field = get_user_model().USERNAME_FIELD
    raw = credentials.get(field) if credentials else request.POST.get(field)
    if raw is None:
        return None
    limit = getattr(get_user_model()._meta.get_field(field), "max_length", None) or 150
    return str(raw).replace("\x00", "")[:limit]


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address: ``settings.CLIENT_IP_HEADER`` (set by the proxy in front, its
    last address if it holds a list) when that names a header holding an IP address,
    else the address the web server saw."""
    remote: str | None = request.META.get("REMOTE_ADDR")
    header = settings.CLIENT_IP_HEADER
    if not header:
        return remote
    raw = request.META.get(header, "")
    candidate = raw.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
