"""Token scopes: read is the REST API, stream the relay; each token only what it was given."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from streams.models import ApiToken, Scope

URL = "/api/fixtures/"


def get(key: str) -> tuple[int, str]:
    response = Client().get(URL, headers={"Authorization": f"Bearer {key}"})
    return response.status_code, response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_tokens_made_before_scopes_existed_keep_read_and_get_no_stream() -> None:
    before, after = ("streams", "0004_action_type_catalogue"), ("streams", "0005_api_token_scopes")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([before])
    try:
        old = executor.loader.project_state([before]).apps.get_model("streams", "ApiToken")
        old.objects.create(name="old", prefix="dde_oldtoken", key_hash="0" * 64)
        executor = MigrationExecutor(connection)
        executor.migrate([after])
    finally:
        MigrationExecutor(connection).migrate(latest)
    token = ApiToken.objects.get(name="old")
    assert (token.can_read, token.can_stream) == (True, False)
    assert token.scopes == [Scope.READ]


@pytest.mark.django_db
def test_the_rest_api_refuses_a_token_without_read_and_takes_one_with_it() -> None:
    _, stream_only = ApiToken.issue("relay client", [Scope.STREAM])
    _, both = ApiToken.issue("both", [Scope.READ, Scope.STREAM])
    _, read_only = ApiToken.issue("notebook")
    status, body = get(stream_only)
    assert status == 403
    assert "no read scope" in body
    assert get(both)[0] == get(read_only)[0] == 200


@pytest.mark.django_db
def test_create_api_token_gives_the_scopes_asked_for_and_read_by_default() -> None:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "relay", "--scope", "stream", stdout=out, stderr=err)
    assert "(stream)" in err.getvalue()
    call_command("create_api_token", "plain", stdout=StringIO(), stderr=StringIO())
    assert ApiToken.objects.get(name="relay").scopes == [Scope.STREAM]
    assert ApiToken.objects.get(name="plain").scopes == [Scope.READ]
    assert get(out.getvalue().strip())[0] == 403


@pytest.mark.django_db
def test_admin_shows_and_edits_a_tokens_scopes(admin_client: Client) -> None:
    add_page = admin_client.get("/admin/streams/apitoken/add/").content.decode()
    assert 'name="scopes"' in add_page and "stream: the relay" in add_page
    admin_client.post("/admin/streams/apitoken/add/", {"name": "trading", "scopes": "stream"})
    token = ApiToken.objects.get(name="trading")
    assert token.scopes == [Scope.STREAM]
    listing = admin_client.get("/admin/streams/apitoken/").content.decode()
    assert '<td class="field-scopes_shown">stream</td>' in listing
    change_url = f"/admin/streams/apitoken/{token.pk}/change/"
    assert '<option value="stream" selected>' in admin_client.get(change_url).content.decode()
    admin_client.post(change_url, {"name": "trading", "scopes": "read,stream"})
    token.refresh_from_db()
    assert token.scopes == [Scope.READ, Scope.STREAM]
    # A form that sends no scope (an old bookmark, a script) makes a read token.
    admin_client.post("/admin/streams/apitoken/add/", {"name": "script"})
    assert ApiToken.objects.get(name="script").scopes == [Scope.READ]
