"""Production settings: `check --deploy` is clean, and a misconfiguration is one sentence."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from dde_site import processes
from dde_site.env import env_proxy_ssl_header
from tests.support.env_example import ENV_EXAMPLE, documented_variables

ROOT = Path(__file__).resolve().parents[2]


def production_environment(**overrides: str) -> dict[str, str]:
    """docker/.env.example as written, with the secrets it leaves blank filled in."""
    env = {k: v for k, v in os.environ.items() if k not in documented_variables()}
    for name, value in re.findall(r"^(\w+)=(.*)$", ENV_EXAMPLE.read_text(), re.MULTILINE):
        env[name] = value
    env.update(
        DJANGO_SETTINGS_MODULE="dde_site.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        METRICS_TOKEN=secrets.token_urlsafe(24),
    )
    return {**env, **overrides}


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    return run(argv, env)


@pytest.mark.slow  # a real `manage.py check --deploy` process
def test_check_deploy_reports_nothing_with_the_documented_production_variables() -> None:
    result = check_deploy(production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow  # a real `manage.py check --deploy` process
def test_check_deploy_does_notice_a_production_setting_turned_off() -> None:
    # The clean result above comes from the settings, not from a check that never warns.
    result = check_deploy(production_environment(SECURE_SSL_REDIRECT="false"))
    assert result.returncode != 0
    assert "security.W008" in result.stderr


@pytest.mark.slow  # twelve real processes; the quick suite keeps the one below
@pytest.mark.parametrize(
    ("overrides", "sentence"),
    [
        ({"SECRET_KEY": ""}, "Set SECRET_KEY to a random string of at least 50 characters"),
        ({"SECRET_KEY": "short"}, "Set SECRET_KEY to a random string of at least 50 characters"),
        ({"CSRF_TRUSTED_ORIGINS": "dde.example.com"}, "Set CSRF_TRUSTED_ORIGINS to origins"),
        ({"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"}, "Set SECURE_PROXY_SSL_HEADER"),
        ({"METRICS_TOKEN": "abc"}, "Set METRICS_TOKEN to at least 16 random characters"),
        ({"DEBUG": "maybe"}, "Set DEBUG to true or false"),
    ],
)
def test_a_misconfigured_process_stops_at_start_up_with_one_sentence(
    overrides: dict[str, str], sentence: str
) -> None:
    env = production_environment(**overrides)
    for argv in (
        [sys.executable, "-m", "dde_site.processes", "web"],
        [sys.executable, "manage.py", "migrate"],
    ):
        result = run(argv, env)
        assert result.returncode == 1
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"Configuration error: {sentence}")
        assert line.endswith((".", ")."))


def test_a_secret_is_never_echoed_in_the_sentence() -> None:
    secret = "x" * 10 + secrets.token_hex(4)  # too short, so refused
    result = run([sys.executable, "manage.py", "check"], production_environment(SECRET_KEY=secret))
    assert result.returncode == 1
    assert secret not in result.stderr


def test_the_proxy_header_setting_names_the_header_django_reads(monkeypatch: Any) -> None:
    monkeypatch.setenv("PROXY_HEADER", "X-Forwarded-Proto")
    assert env_proxy_ssl_header("PROXY_HEADER") == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("PROXY_HEADER", "")
    assert env_proxy_ssl_header("PROXY_HEADER") is None


@pytest.mark.django_db
def test_behind_a_tls_proxy_https_requests_are_served_and_plain_ones_redirected(
    settings: Any,
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()
    assert client.get("/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    plain = client.get("/")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    # Load balancers probe over plain HTTP inside the network.
    assert client.get("/healthz").status_code in (200, 503)


def test_the_launcher_builds_the_command_it_replaces_itself_with() -> None:
    argv = processes.command(["worker", "--concurrency", "7"])
    assert argv[0] == sys.executable
    assert argv[argv.index("-c") + 1] == "7"
    assert argv[argv.index("-Q") + 1] == "listeners"
