"""Content-Security-Policy and Permissions-Policy on every response.

Scripts, styles and sockets from this site only; no camera, microphone, location, payment
or other powerful browser feature for the site or anything it embeds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.decorators import sync_and_async_middleware

GetResponse = Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]


@sync_and_async_middleware
def content_security_policy(get_response: GetResponse) -> GetResponse:
    """Adds ``settings.CONTENT_SECURITY_POLICY`` and ``settings.PERMISSIONS_POLICY`` unless
    a view set a policy of its own.

    Both sync and async, so the ASGI handler does not hop to a thread for it on every request.
    """
    if iscoroutinefunction(get_response):

        async def async_middleware(request: HttpRequest) -> HttpResponseBase:
            response = await get_response(request)
            return _with_policy(response)

        return async_middleware

    def middleware(request: HttpRequest) -> HttpResponseBase:
        return _with_policy(get_response(request))  # type: ignore[arg-type]

    return middleware


def _with_policy(response: HttpResponseBase) -> HttpResponseBase:
    response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
    response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
    return response
