"""The server's own Content-Security-Policy in Chromium: nothing refused, everything works."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, Response

from streams.models import Fixture
from tests.browser.conftest import Pages, finished_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "csp-staff-password-1"


def visit(page: Page, url: str) -> Page:
    """Go to ``url`` under the server's own policy (no test-side CSP) and check its header."""
    response = page.goto(url)
    assert response is not None and response.ok, url
    assert_strict_policy(response, url)
    return page


def assert_strict_policy(response: Response, url: str) -> None:
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, url
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url


def open_checked(pages: Pages, path: str) -> tuple[Page, None]:
    page = pages.open("/")  # Pages.open gives no response to check: start here, then go
    return visit(page, pages.server + path), None


def violations(page: Page) -> list[str]:
    found: list[str] = page.evaluate("window.__violations")
    return found


def test_the_list_and_a_live_match_centre_run_under_the_policy_with_their_socket(
    pages: Pages, make_fixture: Callable[..., Fixture]
) -> None:
    page, _ = open_checked(pages, "/")
    page.wait_for_selector("[data-connection]")
    fixture = make_fixture()  # not finished: the match centre opens its websocket
    page, _ = open_checked(pages, f"/fixtures/{fixture.id}/")
    page.wait_for_selector('[data-connection="live"]', timeout=10_000)
    assert violations(page) == []


def test_a_finished_match_centre_draws_its_stats_under_the_policy(pages: Pages) -> None:
    fixture = finished_match("has_shootout")
    page, _ = open_checked(pages, f"/fixtures/{fixture.id}/")
    page.wait_for_selector("[data-stats-rows] tr")
    assert violations(page) == []


def test_the_admin_works_under_the_policy(
    pages: Pages, make_fixture: Callable[..., Fixture]
) -> None:
    User.objects.create_superuser("csp-staff", password=PASSWORD)
    fixture = make_fixture(home_team="Policy Town")
    page, _ = open_checked(pages, "/admin/login/")
    page.fill("#id_username", "csp-staff")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    for path in [
        "/admin/",
        "/admin/streams/fixture/",
        f"/admin/streams/fixture/{fixture.id}/change/",
        "/admin/streams/apitoken/add/",
        "/admin/streams/fixture/add/",
    ]:
        visit(page, pages.server + path)
        assert violations(page) == [], path
    # The admin's own scripts ran: the date widgets' shortcuts are drawn by JavaScript.
    page.wait_for_selector(".datetimeshortcuts a")
    assert violations(page) == []


def test_the_api_docs_render_under_the_policy(pages: Pages) -> None:
    page, _ = open_checked(pages, "/api/docs/")
    page.wait_for_selector(".opblock", timeout=15_000)  # Swagger UI drew the operations
    assert page.locator(".opblock").count() >= 5
    assert violations(page) == []
