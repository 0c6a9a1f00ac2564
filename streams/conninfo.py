"""The libpq connection string of Django's default database, for our own psycopg connections."""

from __future__ import annotations

from typing import Any

import psycopg
from django.db import connections


def database_conninfo(dbname: str | None = None, **extra: Any) -> str:
    """Connection string for the default database (or ``dbname`` on the same server)."""
    params = connections["default"].settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=dbname or params["NAME"],
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=str(params["PORT"]) if params.get("PORT") else None,
        **extra,
    )
