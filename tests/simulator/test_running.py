"""Serving from a thread for synchronous callers, and the command-line entry point."""

from __future__ import annotations

import argparse
import json
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from streams.simulator import Simulator, cli
from streams.simulator.numbering import DEFAULT_NUMBERING
from tests.simulator.client import HEADERS, TOKEN

ROOT = Path(__file__).resolve().parents[2]


def test_a_simulator_started_in_a_thread_serves_until_stopped() -> None:
    with Simulator(token=TOKEN).start_in_thread("127.0.0.1", 0) as running:
        assert running.port > 0
        assert running.ws_url == f"ws://127.0.0.1:{running.port}"
        fixture_id = uuid.uuid4()
        url = f"{running.http_url}/soccer/fixtures/{fixture_id}"
        assert httpx.get(url, headers=HEADERS, timeout=10).json()["id"] == str(fixture_id)
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, headers=HEADERS, timeout=2)


def test_starting_on_a_port_in_use_raises() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            Simulator().start_in_thread("127.0.0.1", taken.getsockname()[1])


def test_the_command_line_options_have_the_documented_defaults() -> None:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    options = vars(parser.parse_args([]))
    assert options == {
        "host": "127.0.0.1",
        "port": 8765,
        "token": "demo-token",
        "pace": 1.0,
        "heartbeat": 10.0,
        "faults": "",
        "demo": False,
        "type_ids": DEFAULT_NUMBERING,
        "invent_types": 0,
        "hostile": False,
    }
    simulator = cli.build(vars(parser.parse_args(["--demo", "--pace", "10", "--faults", "drop=5"])))
    assert len(simulator.schedule.scheduled()) == 3
    assert (simulator.pace, simulator.faults.drop) == (10.0, 5)
    with pytest.raises(ValueError, match="unknown fault"):
        cli.build(vars(parser.parse_args(["--faults", "nonsense=1"])))


def test_the_command_serves_until_sigterm_and_never_logs_the_token() -> None:
    code = (
        "import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stdout); "
        "from streams.simulator import cli; "
        "cli.run_from_options({'host': '127.0.0.1', 'port': 0, 'token': 'secret-xyz', "
        "'pace': 5, 'heartbeat': 1, 'faults': '', 'demo': True})"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines = [process.stdout.readline()]
    while "DDE simulator serving" not in lines[-1] and lines[-1]:
        lines.append(process.stdout.readline())
    line = lines[-1]
    assert "ws://127.0.0.1:" in line
    port = int(line.split("ws://127.0.0.1:")[1].split("/")[0])
    headers = {**HEADERS, "Authorization": "Bearer secret-xyz"}
    fixtures = httpx.get(f"http://127.0.0.1:{port}/soccer/fixtures", headers=headers, timeout=10)
    assert len(fixtures.json()) == 3
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "secret-xyz" not in "".join(lines) + output
    assert json.dumps("secret-xyz") not in output
