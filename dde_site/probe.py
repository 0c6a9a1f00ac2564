"""Is this host's web process answering? ``python -m dde_site.probe [--port 8000]`` asks its
``/livez`` on loopback, with a ``Host`` the settings allow, and exits 0 on a 200 within
``--timeout`` seconds, 1 otherwise (the container's health check, docker/compose.yaml).

Not a TCP connect: a frozen process's kernel still completes the handshake.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
from collections.abc import Sequence


def probe_host(allowed_hosts: Sequence[str]) -> str:
    """A name the web process serves: the first of ``ALLOWED_HOSTS`` as a plain name."""
    for pattern in allowed_hosts:
        if pattern == "*":
            break
        name = pattern.removeprefix(".")  # ".example.com" allows example.com itself too
        if name:
            return name
    return "localhost"


def livez(port: int, host: str, timeout: float) -> int | None:
    """The status of ``GET /livez`` on loopback ``port``; None if there is no answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/livez", headers={"Host": host})
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dde_site.probe", description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--timeout", type=float, default=3.0)
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dde_site.settings")
    from django.conf import settings

    status = livez(options.port, probe_host(settings.ALLOWED_HOSTS), options.timeout)
    if status != 200:
        raise SystemExit(f"/livez on port {options.port}: {status or 'no answer'}")  # exit 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
