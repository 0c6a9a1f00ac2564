"""Who may read the API: token holders and staff; anonymous gets 401, a busy token 429."""

from __future__ import annotations

import hashlib
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from streams.models import ApiToken, Fixture

pytestmark = pytest.mark.django_db

URL = "/api/fixtures/"


def test_an_anonymous_request_gets_a_401_json_body_with_a_challenge(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "bearer"])
def test_a_token_is_accepted_after_token_or_bearer(keyword: str, api_key: str) -> None:
    response = Client().get(URL, headers={"Authorization": f"{keyword} {api_key}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Token dde_" + "x" * 43,
        "Token not-a-key",
        "Token",
        "Token a b",
        "Bearer dde_\x00",
        "Token dde_" + "é" * 43,
    ],
)
def test_an_unknown_or_malformed_token_gets_a_401(header: str, db: None) -> None:
    response = Client().get(URL, headers={"Authorization": header})
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_revoked_token_gets_a_401(api_key: str) -> None:
    ApiToken.objects.update(revoked=True)
    assert Client().get(URL, headers={"Authorization": f"Token {api_key}"}).status_code == 401


def test_only_the_hash_of_a_key_is_stored_with_a_short_visible_prefix(api_key: str) -> None:
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(api_key.encode()).hexdigest()
    assert token.prefix == api_key[:12] and api_key.startswith("dde_")
    stored = ApiToken.objects.values_list("name", "prefix", "key_hash").get()
    assert api_key not in stored


def test_a_request_with_a_token_records_when_it_was_last_used(api: Client) -> None:
    assert ApiToken.objects.get().last_used is None
    api.get(URL)
    assert ApiToken.objects.get().last_used is not None


def test_staff_signed_in_to_the_site_may_read_and_other_users_may_not(
    admin_client: Client, client: Client
) -> None:
    assert admin_client.get(URL).status_code == 200
    client.force_login(User.objects.create_user("viewer", password="not-staff"))
    response = client.get(URL)
    assert response.status_code == 403
    assert "detail" in response.json()


def test_the_api_is_read_only(api: Client) -> None:
    assert api.post(URL, {}).status_code == 405
    assert api.delete(URL).status_code == 405


def test_create_api_token_prints_a_working_key_once(db: None) -> None:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "warehouse", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("dde_") and "\n" not in key
    assert "warehouse" in err.getvalue() and key not in err.getvalue()
    assert ApiToken.objects.get().name == "warehouse"
    assert Client().get(URL, headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_admin_shows_a_new_key_once_and_never_again(admin_client: Client) -> None:
    response = admin_client.post("/admin/streams/apitoken/add/", {"name": "notebook"})
    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get()
    key = html.split("data-api-key", 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert key.startswith(token.prefix)
    assert Client().get(URL, headers={"Authorization": f"Token {key}"}).status_code == 200
    change_page = admin_client.get(f"/admin/streams/apitoken/{token.pk}/change/")
    assert change_page.status_code == 200
    assert key not in change_page.content.decode()


def test_admin_revokes_tokens(admin_client: Client, api_key: str) -> None:
    token = ApiToken.objects.get()
    admin_client.post(
        "/admin/streams/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert Client().get(URL, headers={"Authorization": f"Token {api_key}"}).status_code == 401


def test_a_token_over_its_rate_gets_429_with_retry_after_and_others_are_unaffected(
    settings: Any, db: None
) -> None:
    settings.API_THROTTLE_RATE = "3/hour"  # an hour: the window will not roll over mid-test
    busy = Client(headers={"Authorization": f"Token {ApiToken.issue('busy')[1]}"})
    calm = Client(headers={"Authorization": f"Token {ApiToken.issue('calm')[1]}"})
    statuses = [busy.get(URL).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = busy.get(URL)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert "detail" in refused.json()
    assert calm.get(URL).status_code == 200


def test_the_dde_token_never_appears_in_an_api_response(
    settings: Any, api: Client, stored_match: Fixture
) -> None:
    settings.DDE_AUTH_TOKEN = "secret-dde-token-1234"
    fixture_url = f"/api/fixtures/{stored_match.id}/"
    for url in [URL, fixture_url, f"{fixture_url}actions/", "/api/schema/"]:
        assert "secret-dde-token-1234" not in api.get(url).content.decode()
