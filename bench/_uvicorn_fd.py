"""uvicorn serving a TCP socket it is handed (``--fd``), as a TCP socket.

An option of bench/live.py, not something the product runs. uvicorn wraps the descriptor
as a Unix-domain socket whatever it is (``socket.fromfd(fd, AF_UNIX, ...)``), so the event
loop never sets ``TCP_NODELAY`` on the connections it accepts, and small answers wait for
the client's delayed acknowledgement (about 40 ms). Here the descriptor's own family is
used; everything else is uvicorn's command line.
"""

from __future__ import annotations

import os
import socket

from uvicorn.main import main


def from_descriptor(fd: int, family: int, type: int, proto: int = 0) -> socket.socket:
    return socket.socket(fileno=os.dup(fd))  # the family and type are read from the socket


socket.fromfd = from_descriptor  # type: ignore[assignment]

if __name__ == "__main__":
    main()
