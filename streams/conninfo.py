"""The libpq connection string of Django's default database, for our own psycopg connections.

It carries the database's connection ``OPTIONS`` too (DATABASE_URL's query string, and the
keepalives and timeouts of ``dde_site.keepalive``), so that a connection we open ourselves
(the listeners' lock connection, an export's cursor, a health probe) finds the primary among
several hosts and notices a dead peer as fast as Django's own.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.db import connections

from dde_site.keepalive import merge_options

# Django's own keys in OPTIONS: not libpq parameters.
_NOT_LIBPQ = {"pool", "isolation_level", "server_side_binding", "assume_role", "cursor_factory"}


def database_conninfo(dbname: str | None = None, **extra: Any) -> str:
    """Connection string for the default database (or ``dbname`` on the same server).

    ``extra`` parameters win over the settings', but an ``options`` given here is added to
    the settings' (``-c`` settings of its own after theirs), not put in their place."""
    params = connections["default"].settings_dict
    libpq = {k: v for k, v in params.get("OPTIONS", {}).items() if k not in _NOT_LIBPQ}
    options = merge_options(libpq.pop("options", None), extra.pop("options", None))
    return psycopg.conninfo.make_conninfo(
        dbname=dbname or params["NAME"],
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=str(params["PORT"]) if params.get("PORT") else None,
        **{**libpq, **extra, "options": options or None},
    )
