"""The DDE token is never shown: pages, admin, API, logs of real listener runs, error reports.

One distinctive token is the live setting throughout. Each test first makes sure the token
was really in play (the listener authenticated with it, the error had it in its locals),
then looks for it in everything a person or a log collector could read.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.log import AdminEmailHandler
from structlog.stdlib import ProcessorFormatter

from streams.dde.client import FeedEndpoint
from streams.feed import dispatch
from streams.feed.listener import ListenerSettings, Outcome, follow
from streams.models import Fixture, ListenerState, Packet, RejectedFrame
from streams.viewers import snapshots
from tests.api.conftest import body
from tests.conftest import StartFeed
from tests.support.waiting import wait_for

SECRET = "dde-tok-7Q2v9Lm4Xc8Rb1Nz"
pytestmark = pytest.mark.django_db(transaction=True)


class Seen:
    """Everything logged: the raw records (before any redaction), and the lines exactly as
    the product's log formatter renders them."""

    def __init__(self, caplog: pytest.LogCaptureFixture, rendered: io.StringIO) -> None:
        self.caplog = caplog
        self.rendered = rendered

    def output(self) -> str:
        return self.rendered.getvalue()

    def assert_no_token(self) -> None:
        for record in self.caplog.records:
            assert SECRET not in record.getMessage(), record.getMessage()
            assert SECRET not in str(record.msg)
            assert SECRET not in (self.caplog.handler.format(record) or "")
        assert SECRET not in self.output()


@pytest.fixture
def seen(caplog: pytest.LogCaptureFixture) -> Iterator[Seen]:
    caplog.set_level(logging.DEBUG)  # every logger the configuration lets through
    root = logging.getLogger()
    (formatter,) = {
        h.formatter for h in root.handlers if isinstance(h.formatter, ProcessorFormatter)
    }
    rendered = io.StringIO()
    handler = logging.StreamHandler(rendered)
    handler.setFormatter(formatter)
    root.addHandler(handler)
    yield Seen(caplog, rendered)
    root.removeHandler(handler)


def test_a_listener_run_logs_and_stores_nothing_of_the_token(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture], settings: Any, seen: Seen
) -> None:
    feed = start_feed(token=SECRET, faults="drop=200,malformed=150")
    settings.DDE_AUTH_TOKEN = SECRET
    fixture = make_fixture()
    assert follow(fixture.id, speed="fast") is Outcome.FINISHED  # it authenticated
    assert feed.stats.auth_ok >= 2 and Packet.objects.filter(fixture=fixture).exists()
    assert RejectedFrame.objects.filter(fixture=fixture).exists()
    assert "dde.connecting" in seen.output() and "dde.frame_rejected" in seen.output()
    seen.assert_no_token()
    assert_not_in_database_text(fixture)


def test_a_rejected_token_is_reported_without_being_shown(
    start_feed: StartFeed,
    make_fixture: Callable[..., Fixture],
    settings: Any,
    seen: Seen,
    admin_client: Client,
) -> None:
    feed = start_feed(token="the-feeds-real-token")
    settings.DDE_AUTH_TOKEN = SECRET
    settings.LISTENER_AUTH_RETRY_SECONDS = 60
    fixture = make_fixture()
    running = ThreadPoolExecutor(1).submit(follow, fixture.id)

    def rejected() -> bool:
        fixture.refresh_from_db()
        return fixture.listener_state == ListenerState.AUTH_REJECTED

    wait_for(rejected, timeout=15)
    dispatch.request_stop(fixture.id)
    assert running.result(timeout=15) is Outcome.STOPPED
    assert feed.stats.auth_failed == 1
    assert "dde.auth_rejected" in seen.output()
    seen.assert_no_token()
    change_page = admin_client.get(reverse("admin:streams_fixture_change", args=[fixture.pk]))
    assert "rejected the token" in change_page.content.decode()
    assert SECRET not in change_page.content.decode()
    assert_not_in_database_text(fixture)


def assert_not_in_database_text(fixture: Fixture) -> None:
    from tests.support.database import every_row_as_text

    assert not any(SECRET in row for row in every_row_as_text())


def readable_urls(fixture: Fixture) -> list[str]:
    api = f"/api/fixtures/{fixture.id}"
    return [
        "/",
        f"/fixtures/{fixture.id}/",
        reverse("admin:index"),
        reverse("admin:streams_fixture_changelist"),
        reverse("admin:streams_fixture_change", args=[fixture.pk]),
        reverse("admin:streams_fixture_add"),
        reverse("admin:streams_packet_changelist"),
        reverse("admin:streams_action_changelist"),
        reverse("admin:streams_rejectedframe_changelist"),
        reverse("admin:streams_apitoken_add"),
        "/api/fixtures/",
        f"{api}/",
        *(f"{api}/{kind}/?format={fmt}" for kind in ("actions", "packets") for fmt in FORMATS),
        *(
            f"/api/actions/?kickoff_from=2025-01-01&kickoff_to=2025-12-31&format={fmt}"
            for fmt in FORMATS
        ),
        "/api/schema/",
        "/api/docs/",
        "/api/docs/?script=",
    ]


FORMATS = ("json", "csv", "ndjson")


def test_no_page_admin_page_or_api_answer_contains_the_token(
    make_fixture: Callable[..., Fixture], settings: Any, admin_client: Client, seen: Seen
) -> None:
    settings.DDE_AUTH_TOKEN = SECRET
    from tests.api.conftest import match_number
    from tests.conftest import store_match

    fixture = store_match(match_number(3))
    fixture.listener_error = "The feed rejected the token: The supplied authentication is invalid"
    fixture.save()
    for url in readable_urls(fixture):
        response = admin_client.get(url)  # staff: sees every page and every API answer
        assert response.status_code == 200, url
        assert SECRET.encode() not in body(response), url
    seen.assert_no_token()


def fail_with_the_token_everywhere() -> list[Fixture]:
    """Stands in for a bug deep in the feed code: the token in locals and in the message."""
    from django.conf import settings

    token = settings.DDE_AUTH_TOKEN
    endpoint = FeedEndpoint("ws://127.0.0.1:1", "f", token=token)
    headers = endpoint.headers()
    config = ListenerSettings.from_django()
    assert token in headers["Authorization"] and config.token == token
    raise RuntimeError(f"feed refused {token!r} with {headers}")


@pytest.fixture
def error_mails(settings: Any) -> Iterator[None]:
    """Mails to ADMINS for every 500, as an operator would turn them on."""
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    handler = AdminEmailHandler(include_html=True)
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)


@pytest.mark.usefixtures("error_mails")
@pytest.mark.parametrize("debug", [False, True])
def test_an_error_report_never_shows_the_token(
    settings: Any, monkeypatch: pytest.MonkeyPatch, seen: Seen, debug: bool
) -> None:
    settings.DDE_AUTH_TOKEN = SECRET
    settings.DEBUG = debug  # True: Django's technical 500 page, with settings and locals
    monkeypatch.setattr(snapshots, "scoreboard_fixtures", fail_with_the_token_everywhere)
    response = Client(raise_request_exception=False).get(
        "/", headers={"Authorization": f"Token {SECRET}"}
    )
    assert response.status_code == 500
    page = response.content.decode()
    assert ("fail_with_the_token_everywhere" in page) is debug  # the report is really there
    assert SECRET not in page
    (report,) = mail.outbox
    html = str(report.alternatives[0][0])  # type: ignore[attr-defined]
    assert "fail_with_the_token_everywhere" in report.body and "headers" in html
    assert SECRET not in report.body and SECRET not in html and SECRET not in report.subject
    assert any(record.exc_info for record in seen.caplog.records)
    # The raw records hold this made-up exception's message; the rendered lines may not.
    assert "RuntimeError" in seen.output() and "Traceback" in seen.output()
    assert SECRET not in seen.output()
