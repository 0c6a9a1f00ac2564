"""A Redis master of its own watched by a Sentinel of its own, on spare loopback ports.

Sentinel rewrites its configuration file as it learns, so each one gets a file in a
temporary folder; both processes are stopped and the folder removed on leaving.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis

from tests.support.processes import free_port
from tests.support.waiting import wait_for

MASTER_NAME = "dde-test-master"


@dataclass(frozen=True)
class Sentinelled:
    master_port: int
    sentinel_port: int
    master_name: str = MASTER_NAME

    @property
    def sentinels(self) -> str:
        """As REDIS_SENTINELS takes it."""
        return f"127.0.0.1:{self.sentinel_port}"

    def master(self) -> redis.Redis:
        """A plain client of the master, not through Sentinel: to see where writes went."""
        return redis.Redis(host="127.0.0.1", port=self.master_port, socket_timeout=5)


def _answers(port: int, command: tuple[str, ...]) -> bool:
    try:
        with redis.Redis(host="127.0.0.1", port=port, socket_timeout=1) as client:
            return bool(client.execute_command(*command))
    except redis.RedisError:
        return False


@contextlib.contextmanager
def sentinelled_redis() -> Iterator[Sentinelled]:
    with tempfile.TemporaryDirectory(prefix="dde-sentinel-") as folder:
        master_port, sentinel_port = free_port(), free_port()
        config = Path(folder) / "sentinel.conf"
        config.write_text(
            f"port {sentinel_port}\nbind 127.0.0.1\ndir {folder}\n"
            f"sentinel monitor {MASTER_NAME} 127.0.0.1 {master_port} 1\n"
        )
        processes = [
            subprocess.Popen(
                ["redis-server", "--port", str(master_port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--dir", folder],
                stdout=subprocess.DEVNULL,
            ),
            subprocess.Popen(
                ["redis-server", str(config), "--sentinel"], stdout=subprocess.DEVNULL
            ),
        ]  # fmt: skip
        try:
            wait_for(lambda: _answers(master_port, ("PING",)), timeout=10)
            wait_for(
                lambda: _answers(
                    sentinel_port, ("SENTINEL", "get-master-addr-by-name", MASTER_NAME)
                ),
                timeout=10,
            )
            yield Sentinelled(master_port, sentinel_port)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=10)
