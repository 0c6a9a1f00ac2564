"""``DATABASE_URL`` as Django's database settings, parsed by libpq itself.

A URL may name several hosts (``postgres://h1:5432,h2:5432/dde?target_session_attrs=read-write``)
so that after a failover every process finds the new primary. dj-database-url refuses such a
URL (it splits the netloc into one host and one port), so we let libpq parse it, the parser
every connection then uses, and keep the hosts and ports as the comma-separated lists libpq
takes back. Parameters in the query string (``target_session_attrs``, ``sslmode``...) become
connection ``OPTIONS``, which Django and our own connections (``streams.conninfo``) pass on.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.core.exceptions import ImproperlyConfigured

# Parameters Django holds in its own keys rather than in OPTIONS.
_DJANGO_KEYS = {"dbname": "NAME", "user": "USER", "password": "PASSWORD", "host": "HOST"}


def parse_database_url(url: str) -> dict[str, Any]:
    """The ``DATABASES["default"]`` entry for a postgres:// URL with one host or several."""
    if not url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("Set DATABASE_URL to a postgres:// URL.")
    try:
        params = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        raise ImproperlyConfigured(
            f"Set DATABASE_URL to a valid postgres:// URL, such as "
            f"postgres://user@h1:5432,h2:5432/dde?target_session_attrs=read-write "
            f"(libpq says: {first_line})."
        ) from None
    entry: dict[str, Any] = {"ENGINE": "django.db.backends.postgresql", "PORT": ""}
    for param, key in _DJANGO_KEYS.items():
        entry[key] = str(params.pop(param, "") or "")
    entry["PORT"] = str(params.pop("port", "") or "")
    if not entry["NAME"]:
        raise ImproperlyConfigured("Set DATABASE_URL with a database name, as in .../dde.")
    _check_ports_match_hosts(entry["HOST"], entry["PORT"])
    entry["OPTIONS"] = {name: str(value) for name, value in params.items()}
    return entry


def _check_ports_match_hosts(hosts: str, ports: str) -> None:
    # libpq accepts one port for all hosts or one per host; anything else fails only at the
    # first connection, in every process, so refuse it here with the reason.
    host_count = len(hosts.split(",")) if hosts else 1
    port_count = len(ports.split(",")) if ports else 1
    if port_count not in (1, host_count):
        raise ImproperlyConfigured(
            f"Set DATABASE_URL with one port for every host, or a single port for all "
            f"({host_count} hosts, {port_count} ports)."
        )
