"""Error pages: JSON under /api/ (as docs/api.md promises), the site's own HTML elsewhere.

DRF already answers its own errors (a bad parameter, no token, a fixture not found) with
JSON. These cover what reaches Django instead: a path under /api/ that matches no URL, an
exception no view handled, a request refused before any view ran. The JSON bodies have
DRF's shape, ``{"detail": ...}``; neither kind ever says more than the status does.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

API_PREFIX = "/api/"
PAGE = "errors/page.html"

logger = logging.getLogger(__name__)

# status: (title, heading, message), written for a fan who followed a link.
PAGES = {
    400: ("Bad request", "That request did not make sense", "The address may be incomplete."),
    403: ("Not allowed", "That page is not open to you", "You may need to sign in as staff."),
    404: (
        "Not found",
        "No such page",
        "The match or page you asked for is not here. It may have moved, or the link "
        "may be mistyped.",
    ),
    500: (
        "Something went wrong",
        "Something went wrong on our side",
        "The error has been logged. Try again in a moment.",
    ),
}


def is_api(request: HttpRequest) -> bool:
    path = request.path_info
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


def _json(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _context(status: int) -> dict[str, object]:
    title, heading, message = PAGES[status]
    return {"status": status, "title": title, "heading": heading, "message": message}


def _page(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, PAGE, _context(status), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return _json("Bad request.", 400)
    return _page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return _json("You do not have permission to perform this action.", 403)
    return _page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return _json("Not found.", 404)
    return _page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return _json("A server error occurred.", 500)
    # Without the request: its context processors read the session and the user, and the
    # database behind them may be what failed.
    try:
        return HttpResponseServerError(loader.get_template(PAGE).render(_context(500)))
    except Exception:
        logger.exception("the 500 page could not be rendered")
        return HttpResponseServerError("<h1>Server error (500)</h1>", content_type="text/html")
