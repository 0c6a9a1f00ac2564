"""The web servers bench/live.py compares, each serving the product's ASGI app unchanged.

Every option listens on the same loopback port through sockets made here, so that one or
several processes share it the same way: ``SO_REUSEPORT`` gives each process a listening
socket of its own and the kernel spreads new connections over them by hash. The options
``uvicorn`` and ``uvicorn-workers2`` are the launcher's own ``web`` and ``web --processes
2`` instead, binding the port themselves as deployed (with workers, uvicorn's supervisor
holds one socket that they accept from).
"""

from __future__ import annotations

import socket
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = "dde_site.asgi:application"
PREPARED = ROOT / "bench" / "_daphne_prepared.py"
UVICORN_FD = ROOT / "bench" / "_uvicorn_fd.py"


@dataclass(frozen=True)
class Option:
    name: str
    what: str
    processes: int = 1
    # Started as shipped, `python -m dde_site.processes web --processes N`, binding the
    # port itself (uvicorn's supervisor and its workers share one socket), not given one.
    launcher: bool = False

    def launcher_command(self, port: int) -> list[str]:
        from dde_site.processes import command

        return command(["web", "--port", str(port), "--processes", str(self.processes)])

    def command(self, fd: int) -> list[str]:
        """The command line of one process that serves the listening socket ``fd``."""
        python = sys.executable
        if self.name.startswith("daphne-prepared"):
            return [python, str(PREPARED), "--fd", str(fd), APP]
        if self.name.startswith("daphne"):
            return [python, "-m", "daphne", "--fd", str(fd), APP]
        if self.name.startswith("uvicorn"):
            # The product's options (dde_site/processes.py) on the socket given.
            from dde_site.processes import uvicorn_options

            return [python, str(UVICORN_FD), "--fd", str(fd), *uvicorn_options(), APP]
        raise ValueError(f"unknown server option {self.name!r}")


OPTIONS = {
    option.name: option
    for option in (
        Option("daphne", "daphne, one process (Twisted, autobahn)"),
        Option(
            "daphne-prepared",
            "daphne, one process, each change framed once for all its viewers "
            "(autobahn prepareMessage)",
        ),
        Option("daphne-x2", "daphne, two processes sharing the port (SO_REUSEPORT)", 2),
        Option(
            "uvicorn",
            "uvicorn, one process (uvloop, httptools, websockets sans-I/O), as shipped",
            launcher=True,
        ),
        Option("uvicorn-x2", "uvicorn, two processes sharing the port (SO_REUSEPORT)", 2),
        Option(
            "uvicorn-workers2",
            "uvicorn, two worker processes under its supervisor (web --processes 2)",
            2,
            launcher=True,
        ),
    )
}


def listening_sockets(processes: int, port: int) -> list[socket.socket]:
    """One listening socket per process, all on ``port`` (``SO_REUSEPORT``)."""
    sockets = []
    for _ in range(processes):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(("127.0.0.1", port))
        # A storm of reconnects must queue, not be refused: well above the default of 50.
        sock.listen(4096)
        # Twisted adopts a descriptor as it is: a blocking one would stall its reactor in
        # accept() whenever the queue is empty.
        sock.setblocking(False)
        sock.set_inheritable(True)
        sockets.append(sock)
    return sockets
