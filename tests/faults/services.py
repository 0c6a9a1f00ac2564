"""Dedicated Postgres and Redis on spare ports, and the product's processes pointed at them.

The fault suite restarts its database and its Redis mid-match, so it never uses the
machine's shared servers for that: it makes its own Postgres cluster with ``initdb`` in a
temporary folder and its own ``redis-server`` without persistence, and stops both after.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from dde_site import processes
from tests.support.processes import ROOT, free_port


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def wait_until_listening(
    port: int, what: str, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + 60
    while not listening(port):
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before listening")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} is not listening on port {port} after 60 s")
        time.sleep(0.05)


def postgres_bin_dir() -> Path | None:
    """The newest PostgreSQL server binaries (Debian keeps them out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version, reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> float:
    try:
        return float(Path(path).parents[1].name)
    except ValueError:
        return 0.0


def missing_tools() -> list[str]:
    """Why the dedicated servers cannot be started here (empty when they can)."""
    missing = []
    if postgres_bin_dir() is None:
        missing.append("PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql")
    if shutil.which("redis-server") is None:
        missing.append("redis-server: apt-get install redis-server")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            missing.append("a 'postgres' OS user (initdb refuses to run as root)")
        if shutil.which("runuser") is None:
            missing.append("runuser (util-linux), to run initdb as the postgres user")
    return missing


class PostgresCluster:
    """A throwaway cluster: trust auth on 127.0.0.1, no fsync (nothing here must survive).

    ``listen`` adds addresses to listen on and ``trusted`` a network to trust besides
    (the cluster harness's bridge, tests/cluster/)."""

    def __init__(self, log_dir: Path, *, listen: str = "", trusted: str = "") -> None:
        self.listen = ",".join(filter(None, ("127.0.0.1", listen)))
        self.trusted = trusted
        self.bin = postgres_bin_dir()
        assert self.bin is not None, "check missing_tools() first"
        self.port = free_port()
        self.log = log_dir / "postgres.log"
        self.data = Path(tempfile.mkdtemp(prefix="dde-faults-pg-"))
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            # initdb and pg_ctl refuse root: the cluster belongs to the postgres user.
            owner = pwd.getpwnam("postgres")
            os.chown(self.data, owner.pw_uid, owner.pw_gid)
            self.log.touch()
            os.chown(self.log, owner.pw_uid, owner.pw_gid)
            self._as_owner = ["runuser", "-u", "postgres", "--"]

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        pgdata = self.data / "data"
        if not pgdata.exists():
            self._run("initdb", "-D", str(pgdata), "-U", "postgres", "--auth=trust", "-E", "UTF8")
            if self.trusted:
                with (pgdata / "pg_hba.conf").open("a") as hba:
                    hba.write(f"host all all {self.trusted} trust\n")
        options = (
            f"-p {self.port} -c listen_addresses={self.listen} -k {self.data}"
            " -c fsync=off -c full_page_writes=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(pgdata), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data / "data"), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        """Stop (fast: every session is cut, as on a failover) and start again."""
        self.stop()
        self.start()

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.data, ignore_errors=True)

    def _run(self, tool: str, *args: str) -> None:
        assert self.bin is not None
        subprocess.run(
            [*self._as_owner, str(self.bin / tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.data,
        )


class RedisServer:
    """``redis-server`` on a spare port, without persistence, restartable on the same port."""

    def __init__(self, log_dir: Path, *, bind: str = "", extra: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.log = log_dir / "redis.log"
        self.bind = " ".join(filter(None, ("127.0.0.1", bind)))
        self.extra = extra
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            self.bind,
            *self.extra,
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            str(self.log),
        ]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_until_listening(self.port, "redis-server", self._process)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=30)
        self._process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@dataclass
class ProductProcesses:
    """Celery workers and beat, and the web process, as ``make run`` starts them, with one env."""

    env: dict[str, str]
    log_dir: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _started: int = 0

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        with (self.log_dir / f"{name}.log").open("ab") as log:
            return subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def start_worker(self, *, wrap: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
        """``wrap``: a command prefix, such as ``ip netns exec HOST`` (tests/cluster/)."""
        self._started += 1
        name = f"worker-{self._started}"
        worker = self._spawn(
            name,
            [
                *wrap,
                sys.executable,
                "-m",
                "celery",
                "-A",
                "dde_site",
                "worker",
                "-Q",
                "listeners",
                "-P",
                "threads",
                "-c",
                "40",
                "-n",
                f"faults-{name}-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
            ],
        )
        self.workers.append(worker)
        return worker

    def start_beat(self, schedule_dir: Path) -> None:
        self.others.append(
            self._spawn(
                "beat",
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "dde_site",
                    "beat",
                    "-s",
                    str(schedule_dir / "beat-schedule"),
                    "--loglevel",
                    "WARNING",
                ],
            )
        )

    def start_web(self) -> int:
        """The web process as deployed (uvicorn, through the launcher)."""
        port = free_port()
        web = self._spawn("web", processes.command(["web", "--port", str(port)]))
        self.others.append(web)
        wait_until_listening(port, "the web process", web)
        return port

    def live_workers(self) -> list[subprocess.Popen[bytes]]:
        return [worker for worker in self.workers if worker.poll() is None]

    def stop_all(self) -> None:
        for process in [*self.workers, *self.others]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*self.workers, *self.others]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
