"""Real Chromium (Debian's package) driven by Playwright, against the real web process."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from dde_site import processes
from streams.feed import dispatch
from streams.feed.listener import Outcome, follow
from streams.models import Fixture
from streams.simulator import Match, MatchVariant, Schedule, generate_match
from streams.simulator.variant import DEFAULT_VARIANT
from tests.conftest import StartFeed, store_match
from tests.support.processes import free_port, worker_database_url
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
# Playwright gives every launch a fresh temporary profile (user-data dir) of its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What a production CSP without 'unsafe-inline' will allow.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# A live match at this pace lasts about twelve seconds of wall time.
PACE = 600.0
NAMESPACE = uuid.UUID("5d0c7a4e-1f0b-4c43-8d36-0c6a3b1e9f27")

# Records every state a timeline row and the score went through, with the time, so a test
# can tell "changed in place" from "replaced" and how soon a change was drawn.
RECORDER = """
(() => {
  window.__rows = []; window.__scores = []; let nodes = 0;
  const seen = (li) => { if (!li.__node) li.__node = ++nodes; return li.__node; };
  const row = (li) => window.__rows.push(
    {id: li.dataset.actionId, node: seen(li), cls: li.className, t: Date.now()});
  const score = () => { const s = document.querySelector('[data-score]');
    if (s) window.__scores.push({text: s.textContent.replace(/\\s/g, ''), t: Date.now()}); };
  document.addEventListener('DOMContentLoaded', () => {
    const timeline = document.querySelector('[data-timeline]');
    if (!timeline) return;
    for (const li of timeline.children) seen(li);
    new MutationObserver((records) => { for (const r of records) {
      if (r.target === timeline) r.addedNodes.forEach((n) => n.nodeType === 1 && row(n));
      else if (r.target.parentElement === timeline) row(r.target);
      else score();
    } }).observe(document.querySelector('main'),
      {subtree: true, childList: true, attributes: true, attributeFilter: ['class']});
  });
  window.__violations = [];
  document.addEventListener('securitypolicyviolation',
    (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
})();
"""


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="package")
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps its event loop marked as running in this thread (in a
    greenlet) while it is started, so Django would refuse the tests' plain ORM calls."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def playwright(_orm_beside_playwright: None) -> Iterator[Playwright]:
    # Package scope: stopped before the other test packages run, so its loop is gone then.
    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)")
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="package")
def server(django_db_setup: None) -> Iterator[str]:
    """The web process as deployed (`python -m dde_site.processes web`) on a free port, on the
    test database and Redis."""
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "DEBUG": "true",  # WhiteNoise serves static/ straight from the finders
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    with (ARTIFACTS / "web.log").open("wb") as log:
        web = subprocess.Popen(
            processes.command(["web", "--port", str(port)]),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while not _listening(port):
            if web.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the web process did not start: see test-artifacts/web.log")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        web.terminate()
        try:
            web.wait(timeout=10)
        except subprocess.TimeoutExpired:
            web.kill()
            web.wait()


@dataclass
class Pages:
    """Opens pages of the running server; fails the test on a JS error."""

    browser: Browser
    server: str
    contexts: list[BrowserContext] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    def expect_console_error(self, text: str) -> None:
        """Console errors containing ``text`` are part of the test (say, going offline)."""
        self.expected.append(text)

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(text in e for text in self.expected)]

    def open(
        self,
        path: str,
        *,
        width: int = 1280,
        height: int = 900,
        javascript: bool = True,
        csp: bool = False,
        bypass_csp: bool = False,
        timezone_id: str | None = None,
    ) -> Page:
        """``csp``: serve the page under CSP. Chromium then blocks its websocket, not for
        the policy but because a page Playwright answered has no address space and may
        not reach loopback (Local Network Access), so only for pages that need no socket.
        ``bypass_csp``: ignore the server's policy, so a test may inject a script (axe.py).
        ``timezone_id``: the browser's time zone (the machine's without it)."""
        context = self.browser.new_context(
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
            timezone_id=timezone_id,
        )
        self.contexts.append(context)
        context.add_init_script(RECORDER)
        if csp:
            context.route(f"{self.server}/**", _with_csp)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on(
            "console",
            lambda m: m.type == "error" and self.errors.append(f"{m.text} ({m.location})"),
        )
        page.goto(self.server + path)
        return page


def _with_csp(route: Any) -> None:
    if route.request.resource_type != "document":
        route.continue_()
        return
    response = route.fetch()
    route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})


@pytest.fixture
def pages(browser: Browser, server: str) -> Iterator[Pages]:
    opened = Pages(browser, server)
    yield opened
    for context in opened.contexts:
        context.close()
    assert not opened.unexpected_errors(), opened.unexpected_errors()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def fixture_id_where(wanted: Callable[[Match], bool]) -> uuid.UUID:
    """The first of a few deterministic ids whose generated match has what a test needs
    (the plan depends on the id alone; pace only scales the release times)."""
    kickoff = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for number in range(300):
        fixture_id = uuid.uuid5(NAMESPACE, str(number))
        if wanted(generate_match(fixture_id, kickoff, PACE)):
            return fixture_id
    raise AssertionError("no generated match fits")


def finished_match(feature: str, hours_ago: float = 3) -> Fixture:
    """A whole generated match with ``feature``, stored as a listener would have."""
    kickoff = (timezone.now() - dt.timedelta(hours=hours_ago)).replace(microsecond=0)
    return store_match(generate_match(fixture_id_where(lambda m: getattr(m, feature)), kickoff))


def first_offset(match: Match, type_id: int, send_type: str) -> float:
    """Seconds after kick-off when the first such packet is released (inf if none)."""
    for packet, offset in zip(match.packets, match.release_offsets, strict=True):
        action = packet["fixtureAction"]
        if action.get("fixtureActionTypeId") == type_id and action["sendType"] == send_type:
            return offset
    return float("inf")


@dataclass
class LiveMatch:
    fixture: Fixture
    match: Match
    listener: Future[Outcome]

    def refresh(self) -> Fixture:
        self.fixture.refresh_from_db()
        return self.fixture


@pytest.fixture
def live_match(
    transactional_db: None,
    start_feed: StartFeed,
    make_fixture: Callable[..., Fixture],
    settings: Any,
) -> Iterator[Callable[..., LiveMatch]]:
    """Schedule a match on the simulator kicking off in a moment, and follow it with a real
    listener in a thread of this process (it publishes to the web process through Redis)."""
    started: list[LiveMatch] = []

    def start(
        fixture_id: uuid.UUID,
        *,
        lead_seconds: float = 2.0,
        pace: float = PACE,
        variant: MatchVariant = DEFAULT_VARIANT,
        faults: str = "",
        through: Callable[[str], str] | None = None,
    ) -> LiveMatch:
        """``variant``: how the simulator numbers types, and whether it invents some;
        ``faults``: the simulator's (docs/simulator.md); ``through``: the simulator's
        websocket URL to the one the listener uses (a proxy's, say)."""
        kickoff = timezone.now() + dt.timedelta(seconds=lead_seconds)
        schedule = Schedule(variant)
        schedule.add(fixture_id, kickoff=kickoff)
        feed = start_feed(schedule=schedule, pace=pace, faults=faults)
        if through is not None:
            settings.DDE_STREAMS_URL = through(feed.ws_url)
        match = generate_match(fixture_id, kickoff, pace, variant=variant)
        fixture = make_fixture(
            fixture_id, home_team=match.home.name, away_team=match.away.name, kickoff=kickoff
        )
        listener = ThreadPoolExecutor(1, thread_name_prefix="listener").submit(follow, fixture_id)
        started.append(LiveMatch(fixture, match, listener))
        return started[-1]

    yield start
    for live in started:
        if not live.listener.done():
            dispatch.request_stop(live.fixture.id)
        live.listener.result(timeout=30)


def wait_until_true(page: Page, expression: str, timeout: float = 30.0) -> None:
    """Poll a JavaScript expression from here: ``page.wait_for_function`` evaluates it with
    eval() inside the page, which the site's Content-Security-Policy refuses."""
    wait_for(lambda: bool(page.evaluate(expression)), timeout=timeout)
