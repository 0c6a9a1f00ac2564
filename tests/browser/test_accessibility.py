"""axe-core in Chromium on the list, the match centre (live and finished), the admin and
the error pages: no serious or critical violation (tests/browser/axe.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, Route

from streams.models import Fixture
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import Pages, finished_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "an accessible operator password"


def a_full_list(make_fixture: Callable[..., Fixture]) -> None:
    now = timezone.now()
    finished_match("has_suspension", hours_ago=4)
    make_fixture(
        home_team="Alder Rovers", away_team="Brookfield Athletic", status="Live",
        kickoff=now - dt.timedelta(minutes=40), home_score=1, current_period=1,
        clock_time="38:12", clock_state="running", home_colour="255, 255, 255",
        away_colour="250, 250, 250", coverage_level="Full",
    )  # fmt: skip
    make_fixture(home_team="Castle Town", away_team="Dunmore", kickoff=now + dt.timedelta(hours=26))


def test_the_list_has_no_serious_violation(
    pages: Pages, make_fixture: Callable[..., Fixture]
) -> None:
    a_full_list(make_fixture)
    page = pages.open("/", bypass_csp=True)
    page.wait_for_selector('[data-connection="live"]')
    assert_no_serious_violations(page, "list")


def test_a_day_page_has_no_serious_violation(
    pages: Pages, make_fixture: Callable[..., Fixture]
) -> None:
    a_full_list(make_fixture)
    day = (timezone.now() + dt.timedelta(hours=26)).date().isoformat()
    page = pages.open(f"/?day={day}&tz=UTC", bypass_csp=True, timezone_id="UTC")
    page.wait_for_selector('[data-connection="live"]')
    assert_no_serious_violations(page, "list-day")


def test_a_live_match_centre_has_no_serious_violation(
    pages: Pages, make_fixture: Callable[..., Fixture]
) -> None:
    fixture = make_fixture(status="Live", home_colour="255, 255, 255", away_colour="10, 10, 10")
    page = pages.open(f"/fixtures/{fixture.id}/", bypass_csp=True)
    page.wait_for_selector('[data-connection="live"]', timeout=10_000)
    assert_no_serious_violations(page, "match-live")


def test_a_finished_match_centre_has_no_serious_violation(pages: Pages) -> None:
    fixture = finished_match("has_shootout")
    page = pages.open(f"/fixtures/{fixture.id}/", bypass_csp=True)
    page.wait_for_selector("[data-stats-rows] tr")
    assert_no_serious_violations(page, "match-finished")


def test_the_admin_fixture_list_and_change_page_have_no_serious_violation(
    pages: Pages, make_fixture: Callable[..., Fixture]
) -> None:
    fixture = make_fixture(home_team="Lions", away_team="Tigers")
    User.objects.create_superuser("axe-staff", password=PASSWORD)
    page = pages.open("/admin/login/", bypass_csp=True)
    assert_no_serious_violations(page, "admin-login")
    page.fill("#id_username", "axe-staff")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    page.goto(f"{pages.server}/admin/streams/fixture/")
    page.wait_for_selector("#result_list")
    assert_no_serious_violations(page, "admin-fixtures")
    page.goto(f"{pages.server}/admin/streams/fixture/{fixture.id}/change/")
    page.wait_for_selector("#fixture_form")
    assert_no_serious_violations(page, "admin-fixture-change")


def test_the_bad_day_page_has_no_serious_violation(pages: Pages) -> None:
    pages.expect_console_error("status of 400")
    page = pages.open("/?day=someday", bypass_csp=True)
    page.wait_for_selector("#error-heading")
    assert_no_serious_violations(page, "error-400")


def served_as_in_production(page: Page, path: str, settings: Any, **client: Any) -> None:
    """The test server runs with DEBUG on (Django's debug pages): answer ``path`` with what
    the site sends with it off, rendered here, its CSS still from the server."""
    settings.DEBUG = False
    response = Client(raise_request_exception=False, **client).get(path)

    def fulfil(route: Route) -> None:
        route.fulfill(
            status=response.status_code,
            body=response.content,
            content_type=response["Content-Type"],
        )

    page.route(f"**{path}", fulfil)


@pytest.mark.parametrize(("path", "status"), [("/no-such-page/", 404), ("/", 500)])
def test_the_error_pages_have_no_serious_violation(
    pages: Pages, settings: Any, monkeypatch: pytest.MonkeyPatch, path: str, status: int
) -> None:
    if status == 500:
        monkeypatch.setattr("streams.views.render", lambda *a, **k: 1 / 0)
    pages.expect_console_error(f"status of {status}")
    page = pages.open("/favicon.ico", bypass_csp=True)
    served_as_in_production(page, path, settings)
    response = page.goto(pages.server + path)
    assert response is not None and response.status == status
    page.wait_for_selector("#error-heading")
    # The site's stylesheet applied: the page is the site's own, not a bare one.
    assert page.locator(".error-page").evaluate("e => getComputedStyle(e).borderRadius") != "0px"
    assert_no_serious_violations(page, f"error-{status}")
