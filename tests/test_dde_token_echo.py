"""A vendor that echoes the token it refused: the echo is redacted before anyone shows it.

The REST client takes the token out of every error it raises from a vendor answer, as the
websocket client does (streams/dde/secrecy.py): admin messages (and the cookie that keeps
them), ``manage.py import_fixtures`` and ``listen`` output, log lines and the listener's
error never hold it. The hostile simulator echoes ``Bearer <token>`` in its 401s.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from typing import Any

import httpx
import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from streams.dde.messages import FrameRejected, parse_frame
from streams.dde.rest import ERROR_BODY_CHARS, DdeApi, DdeApiError
from streams.dde.secrecy import REDACTED_TOKEN, redact_token
from streams.feed import dispatch, importing
from streams.feed.listener import Outcome, follow
from streams.models import Fixture, ListenerState
from streams.simulator import MatchVariant, Schedule
from tests.conftest import StartFeed
from tests.support.waiting import wait_for

SECRET = "dde-tok-9Hw3Zq/Lp7+Vx2Nm8Kc4"
pytestmark = pytest.mark.django_db(transaction=True)


def echoing_api(body: str, status: int = 401, token: str = SECRET) -> DdeApi:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text=body)

    return DdeApi("http://dde.test", token, transport=httpx.MockTransport(handler))


def raised(api: DdeApi) -> DdeApiError:
    with pytest.raises(DdeApiError) as error:
        api.fixtures()
    return error.value


@pytest.mark.parametrize(
    "body",
    [
        f'{{"error": "token rejected: Bearer {SECRET}"}}',
        '{"error": "token rejected: Bearer ' + SECRET.replace("/", "\\/") + '"}',
        f"token rejected: Bearer {SECRET.replace('/', '%2F').replace('+', '%2B')}",
        f"<html><body>Bearer {SECRET}\n\n{SECRET}</body></html>",
    ],
)
def test_a_rest_error_that_echoes_the_token_never_holds_it(body: str) -> None:
    error = raised(echoing_api(body))
    assert error.status == 401
    for text in (str(error), error.body, repr(error), repr(error.args)):
        assert SECRET not in text and "9Hw3Zq" not in text
    assert REDACTED_TOKEN in str(error)


def test_the_token_is_taken_out_before_the_body_is_cut() -> None:
    # Cut first, a token across the cut would leave its first half in the message.
    body = "x" * (ERROR_BODY_CHARS - 10) + SECRET
    error = raised(echoing_api(body, status=500))
    assert "dde-tok" not in str(error) and len(error.body) <= ERROR_BODY_CHARS


def test_a_connection_error_that_names_the_token_is_redacted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused for {request.headers['Authorization']}")

    api = DdeApi("http://dde.test", SECRET, transport=httpx.MockTransport(handler))
    error = raised(api)
    assert SECRET not in str(error) and "Bearer [token]" in str(error)


def test_redaction_takes_every_escaped_form() -> None:
    token = 'tök/en"+x'
    text = 'a tök/en"+x b t\\u00f6k\\/en\\"+x c t%C3%B6k%2Fen%22%2Bx d t%C3%B6k%2Fen%22%2Bx'
    assert token not in redact_token(text, token)
    assert redact_token(text, token).count(REDACTED_TOKEN) == 4
    assert redact_token("nothing here", "") == "nothing here"


@pytest.fixture
def echoing_feed(start_feed: StartFeed, settings: Any) -> Any:
    """A hostile simulator that wants another token and echoes the one it was sent."""
    feed = start_feed(token="the-vendors-real-token", schedule=Schedule(MatchVariant(hostile=True)))
    settings.DDE_AUTH_TOKEN = SECRET
    return feed


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{record.getMessage()} {record.msg}" for record in caplog.records)


@pytest.mark.usefixtures("echoing_feed")
def test_the_admin_import_message_and_its_cookie_never_hold_the_token(
    admin_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = admin_client.post(reverse("admin:streams_fixture_import"))
    assert response.status_code == 302
    cookie = response.cookies["messages"].value
    stored = CookieStorage(HttpRequest())._decode(cookie)  # the messages as the cookie holds them
    texts = [str(message) for message in stored]
    assert any("Import failed" in text and "token rejected" in text for text in texts), texts
    assert all(SECRET not in text for text in texts) and SECRET not in cookie
    page = admin_client.get(response["Location"]).content.decode()
    assert "token rejected: Bearer [token]" in page and SECRET not in page
    assert SECRET not in log_text(caplog)


@pytest.mark.usefixtures("echoing_feed")
def test_the_commands_never_print_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as imported:
        call_command("import_fixtures", stdout=out, stderr=err)
    assert "token rejected: Bearer [token]" in str(imported.value)
    with pytest.raises(CommandError) as listened:
        call_command("listen", str(uuid.uuid4()), stdout=out, stderr=err)
    assert "could not be imported" in str(listened.value)
    for text in (str(imported.value), str(listened.value), out.getvalue(), err.getvalue()):
        assert SECRET not in text
    assert SECRET not in log_text(caplog)


def test_a_websocket_refusal_that_echoes_the_token_is_redacted(
    echoing_feed: Any,
    make_fixture: Callable[..., Fixture],
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings.LISTENER_AUTH_RETRY_SECONDS = 60
    fixture = make_fixture()
    running = ThreadPoolExecutor(1).submit(follow, fixture.id)

    def rejected() -> bool:
        fixture.refresh_from_db()
        return fixture.listener_state == ListenerState.AUTH_REJECTED

    wait_for(rejected)
    dispatch.request_stop(fixture.id)
    assert running.result(timeout=15) is Outcome.STOPPED
    assert echoing_feed.stats.auth_failed == 1
    assert "token rejected: [token]" in fixture.listener_error
    assert SECRET not in fixture.listener_error and SECRET not in log_text(caplog)


def test_a_fixture_import_error_names_no_token_either() -> None:
    # The vendor fixture itself may quote the token: it never reaches a skipped line.
    api = echoing_api(
        f'[{{"id": "not-a-uuid {SECRET}", "startDateUTC": "2025-01-01T12:00:00"}}]', status=200
    )
    result = importing.import_fixtures(api)
    assert result.fixtures == [] and len(result.skipped) == 1
    assert "not a UUID" in result.skipped[0] and SECRET not in result.skipped[0]


def test_a_long_refused_value_is_not_quoted_in_part() -> None:
    # Cut at 80 characters, the id below would keep the token's first half, which redaction
    # (it looks for the whole token) could not find: such a value is described, not quoted.
    long_id = "x" * (80 - len(SECRET) // 2) + SECRET
    api = echoing_api(f'[{{"id": "{long_id}", "startDateUTC": "2025-01-01T12:00:00"}}]', status=200)
    result = importing.import_fixtures(api)
    (skipped,) = result.skipped
    assert "not a UUID" in skipped and f"{len(long_id):,} characters" in skipped
    assert SECRET[: len(SECRET) // 2] not in skipped
    # The frame parser's refusals the same (they are logged and kept as rejected frames).
    with pytest.raises(FrameRejected) as refused:
        parse_frame(json.dumps({"fixtureAction": {"actionId": long_id}}))
    assert f"{len(long_id):,} characters" in str(refused.value)
    assert SECRET[: len(SECRET) // 2] not in str(refused.value)
