"""Who may see what, CSRF on every form, the Content-Security-Policy, API keys at rest."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from streams.models import ApiToken, Fixture, Packet, RejectedFrame
from tests.support.database import every_row_as_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixture(make_fixture: Callable[..., Fixture]) -> Fixture:
    return make_fixture(home_team="Securitas")


def staff_only_urls(fixture: Fixture) -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin:streams_fixture_changelist"),
        reverse("admin:streams_fixture_add"),
        reverse("admin:streams_fixture_change", args=[fixture.pk]),
        reverse("admin:streams_fixture_import"),
        reverse("admin:streams_packet_changelist"),
        reverse("admin:streams_action_changelist"),
        reverse("admin:streams_rejectedframe_changelist"),
        reverse("admin:streams_apitoken_changelist"),
        reverse("admin:streams_apitoken_add"),
        reverse("admin:auth_user_changelist"),
    ]


def test_anonymous_visitors_and_non_staff_users_are_sent_to_the_login_page(
    client: Client, fixture: Fixture
) -> None:
    member = Client()
    member.force_login(User.objects.create_user("member", password="not-staff-1"))
    for browser in (client, member):
        for url in staff_only_urls(fixture):
            response = browser.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login")), url


def test_the_public_pages_stay_public_and_the_api_wants_a_token(
    client: Client, fixture: Fixture
) -> None:
    for url in ("/", f"/fixtures/{fixture.id}/", "/api/docs/", "/api/schema/"):
        assert client.get(url).status_code == 200, url
    for url in ("/api/fixtures/", f"/api/fixtures/{fixture.id}/actions/"):
        assert client.get(url).status_code == 401, url


def html_urls(fixture: Fixture) -> list[str]:
    return [
        "/",
        f"/fixtures/{fixture.id}/",
        "/fixtures/00000000-0000-0000-0000-000000000000/",  # the 404 page
        "/api/docs/",
        reverse("admin:login"),
        *staff_only_urls(fixture),
    ]


def test_every_html_response_has_a_policy_without_unsafe_inline(
    client: Client, admin_client: Client, fixture: Fixture
) -> None:
    checked = 0
    for browser in (client, admin_client):
        for url in html_urls(fixture):
            response = browser.get(url)
            if not response["Content-Type"].startswith("text/html"):
                continue
            policy = response.headers.get("Content-Security-Policy", "")
            assert "default-src 'self'" in policy and "script-src 'self'" in policy, url
            assert "style-src 'self'" in policy and "connect-src 'self'" in policy, url
            assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
            checked += 1
    assert checked >= len(html_urls(fixture)) * 2 - 2  # the redirects are not pages


def test_no_page_carries_an_inline_script_or_style(
    client: Client, admin_client: Client, fixture: Fixture
) -> None:
    """What the policy would refuse: so none of it may be needed (browser test: it is not)."""
    for browser in (client, admin_client):
        for url in html_urls(fixture):
            html = browser.get(url).content.decode()
            # A script element without src is code, unless it is a JSON data block.
            scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
            assert all('type="application/json"' in attributes for attributes in scripts), url
            assert "<style" not in html and " style=" not in html, url
            assert not re.search(r"\son[a-z]+=", html), url  # onclick= and friends


def csrf_client(staff: bool = True) -> Client:
    browser = Client(enforce_csrf_checks=True)
    if staff:
        browser.force_login(User.objects.create_superuser("csrf-staff", password="pw-1-csrf"))
    return browser


def form_posts(fixture: Fixture) -> list[tuple[str, dict[str, object]]]:
    return [
        (reverse("admin:streams_fixture_add"), {"home_team": "A", "away_team": "B"}),
        (reverse("admin:streams_fixture_change", args=[fixture.pk]), {"home_team": "Hacked"}),
        (
            reverse("admin:streams_fixture_changelist"),
            {"action": "stop", "_selected_action": [str(fixture.pk)]},
        ),
        (reverse("admin:streams_fixture_import"), {}),
        (reverse("admin:streams_apitoken_add"), {"name": "stolen"}),
        (reverse("admin:password_change"), {"old_password": "x", "new_password1": "y"}),
        (reverse("admin:logout"), {}),
    ]


def test_every_admin_form_refuses_a_post_without_a_csrf_token(fixture: Fixture) -> None:
    browser = csrf_client()
    for url, data in form_posts(fixture):
        assert browser.post(url, data).status_code == 403, url
    fixture.refresh_from_db()
    assert fixture.home_team == "Securitas" and not fixture.stop_requested
    assert not ApiToken.objects.exists()


def test_the_login_form_refuses_a_post_without_a_csrf_token() -> None:
    User.objects.create_superuser("someone", password="pw-2-login")
    browser = csrf_client(staff=False)
    data = {"username": "someone", "password": "pw-2-login"}
    assert browser.post(reverse("admin:login"), data).status_code == 403
    assert "_auth_user_id" not in browser.session


def test_the_same_post_with_the_forms_csrf_token_is_accepted(fixture: Fixture) -> None:
    """The control for the two tests above: it is the missing token they are refused for."""
    browser = csrf_client()
    page = browser.get(reverse("admin:streams_apitoken_add")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    data = {"name": "notebook", "csrfmiddlewaretoken": token.group(1)}
    assert browser.post(reverse("admin:streams_apitoken_add"), data).status_code == 200
    assert ApiToken.objects.filter(name="notebook").exists()


def test_the_api_takes_no_unsafe_method_even_from_a_staff_session(fixture: Fixture) -> None:
    browser = csrf_client()
    for method in ("post", "put", "patch", "delete"):
        response = getattr(browser, method)(f"/api/fixtures/{fixture.id}/")
        assert response.status_code in (403, 405), method


def test_api_keys_are_nowhere_in_the_database_only_their_hashes(admin_client: Client) -> None:
    out = StringIO()
    call_command("create_api_token", "warehouse", stdout=out, stderr=StringIO())
    from_command = out.getvalue().strip()
    page = admin_client.post(reverse("admin:streams_apitoken_add"), {"name": "notebook"})
    from_admin = re.search(r"data-api-key[^>]*>([^<]+)<", page.content.decode())
    assert from_admin is not None
    keys = [from_command, from_admin.group(1)]
    for key in keys:  # they work...
        response = Client().get("/api/fixtures/", headers={"Authorization": f"Token {key}"})
        assert response.status_code == 200
    rows = every_row_as_text()  # ...and are stored nowhere, not even in the admin's log
    assert any("notebook" in row for row in rows)
    for key in keys:
        assert not any(key in row for row in rows)
        assert not any(key.removeprefix("dde_") in row for row in rows)
    assert Packet.objects.count() == RejectedFrame.objects.count() == 0
