"""The product's long-running processes and their command lines, in one place.

``scripts/run.sh``, the containers (``docker/compose.yaml``) and the tests all start them
as ``python -m dde_site.processes ROLE [options]``, so the command lines cannot drift
apart. The launcher loads the settings first, so a misconfiguration stops start-up with
one sentence, then replaces itself with the real process (signals go straight to it).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from dde_site.startup import check_settings

ASGI_APP = "dde_site.asgi:application"
LISTENERS_QUEUE = "listeners"


def positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m dde_site.processes")
    roles = root.add_subparsers(dest="role", required=True)

    web = roles.add_parser("web", help="uvicorn: pages, API, websockets, /healthz, /metrics")
    web.add_argument("--bind", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.add_argument(
        "--processes",
        type=positive,
        default=1,
        help="server processes sharing the port, under uvicorn's supervisor (one per core)",
    )

    worker = roles.add_parser("worker", help="celery worker following fixtures")
    # Each listener holds a thread of the pool for its whole match: this is the most
    # fixtures one worker process follows at once.
    worker.add_argument("--concurrency", type=int, default=200)
    worker.add_argument("--name", default=f"{LISTENERS_QUEUE}@%h")
    worker.add_argument("--loglevel", default="INFO")

    beat = roles.add_parser("beat", help="celery beat: the dispatcher tick (run exactly one)")
    beat.add_argument("--schedule", default="var/celerybeat-schedule")
    beat.add_argument("--loglevel", default="INFO")

    relay = roles.add_parser(
        "relay", help="the stored feed in the vendor's protocol, for downstream systems"
    )
    relay.add_argument("--host", default="127.0.0.1")
    relay.add_argument("--port", type=int, default=8766)
    relay.add_argument("--heartbeat", type=float, default=10.0)
    relay.add_argument("--max-clients", type=int, default=5000)

    simulator = roles.add_parser("simulator", help="the built-in DDE simulator")
    simulator.add_argument("--host", default="127.0.0.1")
    simulator.add_argument("--port", type=int, default=8765)
    simulator.add_argument("--pace", type=float, default=1.0)
    simulator.add_argument("--demo", action="store_true")
    simulator.add_argument(
        "--type-ids", default="default", help="default, shifted or a JSON mapping file"
    )
    simulator.add_argument("--invent-types", type=int, default=0)
    simulator.add_argument("--hostile", action="store_true")
    return root


def uvicorn_options() -> list[str]:
    """How uvicorn serves the product, whatever socket it listens on (docs/benchmarks.md
    "Crowd fan-out" for why uvicorn; docs/security.md for what each limit is for)."""
    return [
        # The fastest of its implementations: uvloop, httptools, websockets' sans-I/O core.
        "--loop", "uvloop", "--http", "httptools", "--ws", "websockets-sansio",
        # Browsers offer permessage-deflate; compressing each change once per viewer would
        # cost more CPU than the fan-out itself, for messages of a few kilobytes.
        "--ws-per-message-deflate", "false",
        # Viewers send nothing the server acts on: 1 MiB is plenty (daphne's limit too).
        "--ws-max-size", str(1024 * 1024),
        # A vanished viewer is dropped within 40 s.
        "--ws-ping-interval", "20", "--ws-ping-timeout", "20",
        "--lifespan", "on",
        # The visitor's address is the socket's: dde_site/auth.py reads CLIENT_IP_HEADER
        # itself, only when an operator says the proxy in front sets it.
        "--no-proxy-headers",
        "--no-server-header",
        # A storm of reconnecting viewers queues in the kernel rather than being refused.
        "--backlog", "4096",
        # Stopping waits at most this long for requests in flight (a streamed export).
        "--timeout-graceful-shutdown", "10",
    ]  # fmt: skip


def command(args: Sequence[str]) -> list[str]:
    """The full command line (starting with this Python) for ``ROLE [options]``."""
    options = parser().parse_args(list(args))
    python = [sys.executable]
    if options.role == "web":
        workers = ["--workers", str(options.processes)] if options.processes > 1 else []
        return [
            *python, "-m", "uvicorn", "--host", options.bind, "--port", str(options.port),
            *uvicorn_options(), *workers, ASGI_APP,
        ]  # fmt: skip
    if options.role == "worker":
        return [
            *python, "-m", "celery", "-A", "dde_site", "worker",
            "-Q", LISTENERS_QUEUE, "-P", "threads", "-c", str(options.concurrency),
            "-n", options.name, "--loglevel", options.loglevel,
        ]  # fmt: skip
    if options.role == "beat":
        return [
            *python, "-m", "celery", "-A", "dde_site", "beat",
            "--schedule", options.schedule, "--loglevel", options.loglevel,
        ]  # fmt: skip
    if options.role == "relay":
        return [
            *python, "manage.py", "dde_relay",
            "--host", options.host, "--port", str(options.port),
            "--heartbeat", str(options.heartbeat), "--max-clients", str(options.max_clients),
        ]  # fmt: skip
    demo = ["--demo"] if options.demo else []
    hostile = ["--hostile"] if options.hostile else []
    return [
        *python, "manage.py", "dde_simulator",
        "--host", options.host, "--port", str(options.port), "--pace", str(options.pace), *demo,
        "--type-ids", options.type_ids, "--invent-types", str(options.invent_types), *hostile,
    ]  # fmt: skip


def main(argv: Sequence[str]) -> None:
    argv_to_run = command(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dde_site.settings")
    check_settings()
    os.execv(argv_to_run[0], argv_to_run)


if __name__ == "__main__":
    main(sys.argv[1:])
