"""Two web hosts (uvicorn, as ``python -m dde_site.processes web`` starts it) behind HAProxy.

HAProxy (Debian's package) runs on the viewers' host, the machine's own namespace, with a
configuration written here; the viewers connect to it only. What it must do for a web host
that drops off the network while its web process keeps running, or whose processes freeze:
notice by its health checks within about a second (an HTTP check of /livez, which reads
neither Postgres nor Redis: /healthz fails on every web host at once while Postgres or
Redis fails over, and taking every host out then would drop every viewer; a TCP check
passes on a frozen host, whose kernel still completes the handshakes), close the sessions
it still holds to that host (``on-marked-down shutdown-sessions``; otherwise a viewer waits
on a silent websocket until its own ping times out), and send the viewers' reconnects to
the other host, which resumes each from the position it asks for.
Every response says which host served it (``X-DDE-Web-Host``), so the harness knows whose
viewers the fault cut off.
"""

from __future__ import annotations

import csv
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.cluster.network import Host
from tests.faults.services import ProductProcesses
from tests.support.processes import free_port


def missing_tools() -> list[str]:
    """Why the web tier cannot be started here (empty when it can)."""
    return [] if shutil.which("haproxy") else ["haproxy: apt-get install haproxy"]


WEB_PORT = 8000  # each web host is a namespace of its own: the port is free on every one
SERVED_BY_HEADER = "X-DDE-Web-Host"
# Health checks every 0.5 s, two failures take a host out, two successes put it back.
CHECK_INTERVAL_MS, FALL, RISE = 500, 2, 2
# A host taken out has its sessions closed: its viewers reconnect, to the other host.
_ON_DOWN = "on-marked-down shutdown-sessions"


def haproxy_config(port: int, hosts: list[Host], stats_socket: Path) -> str:
    servers = "\n".join(f"    server {h.name} {h.address}:{WEB_PORT}" for h in hosts)
    return f"""\
global
    log stdout format raw local0 info
    stats socket {stats_socket} mode 600 level admin
    maxconn 4000

defaults
    mode http
    log global
    option httplog
    # A reconnect sent to a host not yet marked down is sent to the other at its retry.
    option redispatch 1
    retries 2
    timeout connect 1s
    timeout http-request 10s
    timeout client 30s
    timeout server 30s
    # An upgraded websocket is a tunnel: a match's viewer may stay for hours.
    timeout tunnel 2h
    timeout client-fin 5s
    # Checks connect within min(connect, inter): a check of a silent host fails in 0.5 s.
    timeout check 1s

frontend viewers
    bind 127.0.0.1:{port}
    default_backend web

backend web
    balance roundrobin
    http-response set-header {SERVED_BY_HEADER} %[srv_name]
    # The process must answer, not only its kernel; with a Host the product allows.
    option httpchk
    http-check send meth GET uri /livez ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
    default-server check inter {CHECK_INTERVAL_MS}ms fall {FALL} rise {RISE} {_ON_DOWN}
{servers}
"""


class WebTier:
    """The web hosts' web processes (stopped with the product's processes) and HAProxy."""

    def __init__(self, processes: ProductProcesses, hosts: list[Host], logs: Path) -> None:
        self.processes = processes
        self.hosts = {host.name: host for host in hosts}
        self.logs = logs
        self.port = free_port()
        # A folder of its own: a socket's path must be short (108 bytes), a checkout's need not.
        self._socket_dir = Path(tempfile.mkdtemp(prefix="dde-haproxy-"))
        self.stats_socket = self._socket_dir / "stats.sock"
        self.config = logs / "haproxy.cfg"
        self._haproxy: subprocess.Popen[bytes] | None = None
        self.web_processes: dict[str, subprocess.Popen[bytes]] = {}  # by host name

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        for host in self.hosts.values():
            self._start_web(host)
        self.config.write_text(
            haproxy_config(self.port, list(self.hosts.values()), self.stats_socket)
        )
        with (self.logs / "haproxy.log").open("ab") as log:
            # -db: in the foreground, so that the harness owns (and stops) the process.
            self._haproxy = subprocess.Popen(
                ["haproxy", "-db", "-f", str(self.config)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while not all(self.status(name) == "UP" for name in self.hosts):
            if self._haproxy.poll() is not None:
                raise RuntimeError(f"haproxy exited with {self._haproxy.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("HAProxy does not see both web hosts up after 30 s")
            time.sleep(0.1)

    def _start_web(self, host: Host) -> None:
        command = [
            *host.wrap(), sys.executable, "-m", "dde_site.processes", "web",
            "--bind", host.address, "--port", str(WEB_PORT),
        ]  # fmt: skip
        with (self.logs / f"web-{host.name}.log").open("ab") as log:
            web = subprocess.Popen(
                command, cwd=Path(__file__).resolve().parents[2], env=self.processes.env,
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.processes.others.append(web)  # stopped by stop_all, as the campaign's web process
        self.web_processes[host.name] = web
        deadline = time.monotonic() + 60
        while not _accepts(host.address, WEB_PORT):
            if web.poll() is not None:
                raise RuntimeError(f"the web process on {host.name} exited with {web.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the web process on {host.name} is not listening after 60 s")
            time.sleep(0.1)

    def status(self, name: str) -> str | None:
        """What HAProxy's checks say of a web host now: UP, DOWN, or a state between (such
        as "UP 1/2": one check of the two that take it down has failed)."""
        try:
            with socket.socket(socket.AF_UNIX) as stats:
                stats.settimeout(2)
                stats.connect(str(self.stats_socket))
                stats.sendall(b"show stat\n")
                answer = b""
                while chunk := stats.recv(65536):
                    answer += chunk
        except OSError:
            return None
        rows = csv.DictReader(answer.decode().removeprefix("# ").splitlines())
        for row in rows:
            if row["pxname"] == "web" and row["svname"] == name:
                return row["status"]
        return None

    def wait_for_status(
        self, name: str, wanted: str, *, since: float, timeout: float
    ) -> float | None:
        """Seconds from ``since`` until HAProxy says ``wanted`` of the host, or None."""
        deadline = since + timeout
        while time.monotonic() < deadline:
            if self.status(name) == wanted:
                return time.monotonic() - since
            time.sleep(0.05)
        return None

    def stop(self) -> None:
        if self._haproxy is not None and self._haproxy.poll() is None:
            self._haproxy.terminate()
            try:
                self._haproxy.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._haproxy.kill()
                self._haproxy.wait()
        self._haproxy = None
        shutil.rmtree(self._socket_dir, ignore_errors=True)


def _accepts(address: str, port: int) -> bool:
    try:
        socket.create_connection((address, port), timeout=0.5).close()
    except OSError:
        return False
    return True
