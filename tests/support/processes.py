"""What a test needs to start a real process of the product: where the repository is, a
free loopback port, and the URL of the test database for the child's DATABASE_URL."""

from __future__ import annotations

import socket
from pathlib import Path

from django.db import connections

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def worker_database_url() -> str:
    """The test database (not the configured one) as a URL for a worker, daphne or beat."""
    db = connections["default"].settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
