"""Branded HTML error pages outside /api/ (JSON inside it stays), and /favicon.ico."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from streams.favicon import ICON

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_the_sites_own_404(settings: Any) -> None:
    settings.DEBUG = False
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "No such page" in html and "DDE live" in html  # base.html's header
    assert "streams/site.css" in html
    assert 'href="/"' in html


def test_an_unknown_fixture_is_the_same_404(settings: Any) -> None:
    settings.DEBUG = False
    response = Client().get("/fixtures/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert b"No such page" in response.content


def test_an_unknown_api_path_is_still_json(settings: Any) -> None:
    settings.DEBUG = False
    response = Client().get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_unhandled_error_is_the_sites_own_500_without_details(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DEBUG = False

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("streams.views.render", broken)
    response = Client(raise_request_exception=False).get("/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "DDE live" in html
    assert "secret internals" not in html and "RuntimeError" not in html


def test_the_500_page_does_not_need_the_database(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Rendered without the request: no session or user lookup, which may be what failed."""
    settings.DEBUG = False

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("down")

    monkeypatch.setattr("streams.views.render", broken)
    monkeypatch.setattr("django.contrib.auth.get_user", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


def test_the_favicon_is_served_at_its_usual_path_with_a_long_cache(client: Client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content == ICON.read_bytes()
    max_age = int(response["Cache-Control"].split("max-age=")[1].split(",")[0])
    assert max_age >= 30 * 86400
    assert client.post("/favicon.ico").status_code == 405
