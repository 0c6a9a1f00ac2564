"""The relay runs like the other processes: launcher role, make run, compose."""

from __future__ import annotations

from pathlib import Path

import yaml

from dde_site import processes

ROOT = Path(__file__).resolve().parents[2]


def test_the_relay_role_runs_the_relay_command_with_its_options() -> None:
    argv = processes.command(["relay", "--host", "0.0.0.0", "--port", "9000", "--heartbeat", "2"])
    assert argv[1:3] == ["manage.py", "dde_relay"]
    assert argv[3:7] == ["--host", "0.0.0.0", "--port", "9000"]
    assert argv[7:] == ["--heartbeat", "2.0", "--max-clients", "5000"]


def test_the_relay_container_binds_all_interfaces_on_its_published_port() -> None:
    relay = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())["services"]["relay"]
    argv = processes.command(relay["command"][3:])
    host, port = argv[argv.index("--host") + 1], argv[argv.index("--port") + 1]
    assert host == "0.0.0.0"
    assert relay["ports"] == [f"{port}:{port}"]
    assert port in " ".join(relay["healthcheck"]["test"])


def test_make_run_starts_the_relay_and_waits_for_its_port() -> None:
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert 'start relay $PY -m dde_site.processes relay --port "$RELAY_PORT"' in script
    assert '"$RELAY_PORT"' in script.split("wait_for_port.py", 1)[1].splitlines()[0]
