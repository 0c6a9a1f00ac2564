"""`python -m dde_site.probe`, the web container's health check: a web process that answers
passes, a frozen one (which still accepts TCP connections) fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from dde_site.probe import probe_host
from tests.support.processes import ROOT, web_process


@pytest.mark.parametrize(
    ("allowed", "host"),
    [
        (["dde.example.com", "localhost"], "dde.example.com"),
        ([".example.com"], "example.com"),
        (["*"], "localhost"),
        ([], "localhost"),
    ],
)
def test_the_probe_sends_a_host_the_settings_allow(allowed: list[str], host: str) -> None:
    assert probe_host(allowed) == host


def probe(port: int, **env: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "dde_site.probe", "--port", str(port), "--timeout", "1"]
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env}
    return subprocess.run(
        argv, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=30
    )


@pytest.mark.slow  # a real web process
@pytest.mark.django_db(transaction=True)
def test_the_probe_passes_an_answering_web_process_and_fails_a_frozen_one() -> None:
    with web_process(ALLOWED_HOSTS="dde.example.com") as (base, process):
        port = urlsplit(base).port
        assert port is not None
        assert probe(port, ALLOWED_HOSTS="dde.example.com").returncode == 0
        process.send_signal(signal.SIGSTOP)
        try:
            frozen = probe(port, ALLOWED_HOSTS="dde.example.com")
        finally:
            process.send_signal(signal.SIGCONT)
        assert frozen.returncode == 1
        assert "no answer" in frozen.stderr
        # A Host the web process does not serve is refused: the probe names the status.
        refused = probe(port, ALLOWED_HOSTS="elsewhere.example")
        assert (refused.returncode, refused.stderr.strip()) == (1, f"/livez on port {port}: 400")
        assert probe(port, ALLOWED_HOSTS="dde.example.com").returncode == 0
