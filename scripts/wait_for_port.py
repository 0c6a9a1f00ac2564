"""Wait until every given TCP port on a host accepts connections (30 s at most)."""

import socket
import sys
import time

host, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
deadline = time.monotonic() + 30
for port in ports:
    while True:
        try:
            socket.create_connection((host, port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"Nothing answers on {host}:{port}; see var/log/ for why.")
            time.sleep(0.2)
