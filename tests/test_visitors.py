"""Hostile visitors: admin password guessing is locked out, API errors are JSON, and every
response denies the browser features the site never uses (docs/security.md)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from streams.api.views import FixtureList
from streams.models import ApiToken

ROOT = Path(__file__).resolve().parents[1]
LOGIN = "/admin/login/"
PASSWORD = "correct-horse-battery-staple-19"
LIMIT = 5  # ADMIN_LOGIN_FAILURE_LIMIT's default


@pytest.fixture
def staff(db: None) -> User:
    return User.objects.create_user("admin", password=PASSWORD, is_staff=True)


def log_in(client: Client, username: str, password: str, ip: str = "127.0.0.1") -> Any:
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def logged_in(response: Any) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


# --- Admin login lockout ---------------------------------------------------------------


@pytest.mark.django_db
def test_password_guessing_is_locked_out_and_then_the_right_password_is_refused(
    staff: User,
) -> None:
    attacker = Client()
    for _ in range(LIMIT - 1):
        response = log_in(attacker, "admin", "wrong-guess")
        assert response.status_code == 200  # the form again, with its error
    # The failure that reaches the limit is answered with the lockout, and so is every
    # later try, the right password included.
    assert log_in(attacker, "admin", "wrong-guess").status_code == 429
    for password in ("wrong-guess", PASSWORD):
        response = log_in(attacker, "admin", password)
        assert response.status_code == 429
        assert b"too many login attempts" in response.content
        assert not logged_in(response)
    assert "_auth_user_id" not in attacker.session

    # The same user from another address, and another user from the attacker's address,
    # log in as usual.
    assert logged_in(log_in(Client(), "admin", PASSWORD, ip="10.0.0.2"))
    User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    assert logged_in(log_in(Client(), "editor", PASSWORD))


@pytest.mark.django_db
def test_the_lockout_ends_after_the_cool_off(staff: User) -> None:
    from axes.models import AccessAttempt

    for _ in range(LIMIT):
        log_in(Client(), "admin", "guess")
    assert log_in(Client(), "admin", PASSWORD).status_code == 429
    # The wait (ADMIN_LOGIN_COOLOFF_MINUTES, 15) runs from the latest try.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=14))
    assert log_in(Client(), "admin", PASSWORD).status_code == 429
    # That refused try restarted the wait.
    (attempt,) = AccessAttempt.objects.all()
    assert timezone.now() - attempt.attempt_time < dt.timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert logged_in(log_in(Client(), "admin", PASSWORD))


@pytest.mark.django_db
def test_a_correct_password_before_the_limit_resets_the_count(staff: User) -> None:
    client = Client()
    for _ in range(LIMIT - 1):
        log_in(client, "admin", "typo")
    assert logged_in(log_in(client, "admin", PASSWORD))
    for _ in range(LIMIT - 1):
        assert log_in(Client(), "admin", "typo").status_code == 200
    assert logged_in(log_in(Client(), "admin", PASSWORD))


@pytest.mark.django_db
def test_absurd_usernames_are_counted_not_a_crash(staff: User) -> None:
    # Scanners send these; django-axes stored them whole (a 500, jazzband/django-axes#1381).
    for username in ("x" * 100_000, "admin" + "\u202e" * 300):
        statuses = [log_in(Client(), username, "guess").status_code for _ in range(LIMIT + 2)]
        assert statuses == [200] * (LIMIT - 1) + [429] * 3, username[:20]
    # A NUL byte fails the form before any password is checked: an error, never a 500.
    for _ in range(LIMIT + 2):
        assert log_in(Client(), "admin\x00", "guess").status_code == 200
    assert logged_in(log_in(Client(), "admin", PASSWORD))


@pytest.mark.django_db
def test_client_ip_header_gives_each_visitor_behind_the_proxy_their_own_count(
    staff: User, settings: Any
) -> None:
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    proxy = "10.9.9.9"  # every request comes from the proxy's address

    def via_proxy(visitor: str, password: str) -> Any:
        return Client().post(
            LOGIN,
            {"username": "admin", "password": password, "next": "/admin/"},
            REMOTE_ADDR=proxy,
            HTTP_X_REAL_IP=visitor,
        )

    for _ in range(LIMIT + 1):
        via_proxy("203.0.113.7", "guess")
    assert via_proxy("203.0.113.7", PASSWORD).status_code == 429
    assert logged_in(via_proxy("198.51.100.20", PASSWORD))
    # A header that is not an address counts as the proxy's own address.
    assert logged_in(via_proxy("not-an-address", PASSWORD))


def test_logins_outside_a_request_are_not_counted_or_refused(db: None) -> None:
    from django.contrib.auth import authenticate

    User.objects.create_user("shell", password=PASSWORD)
    assert authenticate(username="shell", password=PASSWORD) is not None
    assert authenticate(username="shell", password="nope") is None
    assert Client().login(username="shell", password=PASSWORD)


def browser_login(server: str, username: str, password: str) -> httpx.Response:
    """What a browser does: get the form (CSRF cookie and token), post it back."""
    with httpx.Client(base_url=server, timeout=10) as browser:
        form = browser.get(LOGIN)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert token, form.text[:500]
        return browser.post(
            LOGIN,
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": password,
                "next": "/admin/",
            },
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow  # a real web process
def test_a_post_flood_on_the_real_web_process_is_locked_out(web_process: str) -> None:
    User.objects.create_user("admin", password=PASSWORD, is_staff=True)
    statuses = [browser_login(web_process, "admin", f"guess-{n}").status_code for n in range(12)]
    # The form again with its error, then the lockout from the failure that reaches it.
    assert statuses == [200] * (LIMIT - 1) + [429] * (len(statuses) - LIMIT + 1)
    refused = browser_login(web_process, "admin", PASSWORD)
    assert refused.status_code == 429
    assert "sessionid" not in refused.cookies
    assert "camera=()" in refused.headers["Permissions-Policy"]
    # Another account from the same address is not affected.
    User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    accepted = browser_login(web_process, "editor", PASSWORD)
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/admin/"


# --- JSON errors under /api/ -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/nope/", "/api/fixtures/x/y/z/", "/api/", "/api"])
def test_an_unknown_api_path_is_a_json_404(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_other_unknown_paths_keep_the_html_404_page() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_an_unhandled_error_in_an_api_view_is_a_json_500(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DEBUG = False

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(FixtureList, "get", broken)
    _, key = ApiToken.issue("tests")
    client = Client(headers={"Authorization": f"Token {key}"}, raise_request_exception=False)
    response = client.get("/api/fixtures/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "A server error occurred."}
    assert b"secret internals" not in response.content


@pytest.mark.django_db
def test_an_unhandled_error_in_a_page_keeps_the_html_500_page(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DEBUG = False

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("streams.views.render", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert b"secret internals" not in response.content


# --- Permissions-Policy ------------------------------------------------------------------


@pytest.mark.django_db
def test_every_response_denies_the_browser_features_the_site_never_uses(
    staff: User, admin_client: Client
) -> None:
    _, key = ApiToken.issue("tests")
    api = Client(headers={"Authorization": f"Token {key}"})
    responses = [
        Client().get("/"),
        Client().get(LOGIN),
        Client().get("/no-such-page/"),
        Client().get("/api/nope/"),
        Client().get("/api/fixtures/"),  # 401
        Client().get("/api/docs/"),
        Client().get("/healthz"),
        api.get("/api/fixtures/"),
        api.get("/api/actions/?kickoff_from=2025-01-01&kickoff_to=2025-01-02&format=csv"),
        admin_client.get("/admin/"),
    ]
    for response in responses:
        policy = response.headers["Permissions-Policy"]
        denied = dict(item.split("=") for item in policy.split(", "))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert denied[feature] == "()", (response.request["PATH_INFO"], feature)
