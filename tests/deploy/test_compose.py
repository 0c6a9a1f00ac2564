"""docker/: the compose file is valid and runs the same command lines as run.sh and the tests.

There is no Docker engine on the development machines, so the compose file is checked
with `docker compose config` when the client has the compose plugin, and always at the
YAML level: services, images, commands, health checks and variables.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from dde_site import processes
from tests.support.env_example import documented_variables

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker" / "compose.yaml"
DOCKERFILE = ROOT / "docker" / "Dockerfile"
LAUNCHER = ["python", "-m", "dde_site.processes"]
# Service name -> the process role it runs.
ROLES = {
    "web": "web",
    "worker": "worker",
    "beat": "beat",
    "relay": "relay",
    "simulator": "simulator",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def compose_plugin_works() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.mark.skipif(not compose_plugin_works(), reason="no `docker compose` on this machine")
def test_docker_compose_config_accepts_the_file() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_compose_has_storage_the_app_processes_and_a_data_volume(compose: dict[str, Any]) -> None:
    services = {n: s for n, s in compose["services"].items() if "profiles" not in s}
    assert set(services) == {"postgres", "redis", "migrate", *ROLES}
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert set(compose["volumes"]) == {
        "pgdata",
        "prometheus",
        "grafana",
    }  # the last two: monitoring


def test_postgres_and_redis_can_be_started_alone(compose: dict[str, Any]) -> None:
    # `docker compose up -d postgres redis` (README) must not pull in the app.
    for name in ("postgres", "redis"):
        assert "depends_on" not in compose["services"][name]
        assert compose["services"][name]["ports"][0].startswith("127.0.0.1:")


def test_every_app_service_runs_the_one_image_built_from_the_dockerfile(
    compose: dict[str, Any],
) -> None:
    for name in ("migrate", *ROLES):
        service = compose["services"][name]
        assert service["image"] == "dde-live:latest"
        assert service["build"] == {"context": "..", "dockerfile": "docker/Dockerfile"}
        assert (COMPOSE.parent / service["build"]["context"] / "docker" / "Dockerfile").exists()


def test_every_long_running_service_has_a_health_check(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if name != "migrate":
            assert service["healthcheck"]["test"], name


def test_each_process_container_runs_its_role_through_the_launcher(
    compose: dict[str, Any],
) -> None:
    for name, role in ROLES.items():
        command = compose["services"][name]["command"]
        assert command[:3] == LAUNCHER, name
        assert command[3] == role
        # The launcher's own parser accepts the options, and builds the real command.
        real = processes.command(command[3:])
        assert real[1:3] in (
            ["-m", "uvicorn"],
            ["-m", "celery"],
            ["manage.py", "dde_relay"],
            ["manage.py", "dde_simulator"],
        )


def test_the_web_container_binds_all_interfaces_on_the_published_port(
    compose: dict[str, Any],
) -> None:
    web = compose["services"]["web"]
    real = processes.command(web["command"][3:])
    assert real[real.index("--host") + 1] == "0.0.0.0"
    assert web["ports"] == [f"{real[real.index('--port') + 1]}:8000"]
    dockerfile_cmd = re.search(r"^CMD (\[.*\])$", DOCKERFILE.read_text(), re.MULTILINE)
    assert dockerfile_cmd is not None
    assert yaml.safe_load(dockerfile_cmd.group(1)) == web["command"]


def test_run_sh_starts_the_same_roles_through_the_launcher() -> None:
    script = (ROOT / "scripts" / "run.sh").read_text()
    # The script's own defaults, e.g. WEB_PORT="${WEB_PORT:-8000}", stand in for its variables.
    defaults = dict(re.findall(r'^(\w+)="\$\{\w+:-([^}]*)\}"$', script, re.MULTILINE))
    started = {}
    for line in script.splitlines():
        match = re.match(r"start (\w+) \$PY -m dde_site\.processes (.*)$", line)
        if match:
            expanded = re.sub(r"\$(\w+)", lambda m: defaults[m.group(1)], match.group(2))
            started[match.group(1)] = shlex.split(expanded)
    assert {name: argv[0] for name, argv in started.items()} == ROLES
    for argv in started.values():
        processes.command(argv)  # parses: no option run.sh passes is unknown


def test_migrations_run_as_run_sh_runs_them(compose: dict[str, Any]) -> None:
    command = compose["services"]["migrate"]["command"]
    assert command == ["python", "manage.py", "migrate", "--noinput"]
    assert "$PY manage.py migrate --noinput" in (ROOT / "scripts" / "run.sh").read_text()


def test_every_variable_the_compose_file_uses_is_a_documented_setting(
    compose: dict[str, Any],
) -> None:
    interpolated = set(re.findall(r"\$\{(\w+)", COMPOSE.read_text()))
    app_environment = {
        key
        for name in ("migrate", *ROLES)
        for key in compose["services"][name].get("environment", {})
    }
    assert interpolated | app_environment <= documented_variables()
    assert {"DATABASE_URL", "REDIS_URL", "DDE_STREAMS_URL", "DDE_API_URL"} <= app_environment


def test_the_image_runs_as_a_non_root_user_with_static_files_collected() -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim$", text, re.MULTILINE)
    assert re.search(r"^USER app$", text, re.MULTILINE)
    assert "manage.py collectstatic --noinput" in text
    assert text.index("collectstatic") < text.index("USER app")
    copied = set(re.findall(r"^COPY (\S+)", text, re.MULTILINE))
    assert {"dde_site", "streams", "templates", "static", "manage.py"} <= copied
