"""Looking at the whole test database at once."""

from __future__ import annotations

from django.db import connection


def every_row_as_text() -> list[str]:
    """Every row of every table of the database, as Postgres prints it."""
    rows: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT t::text FROM {connection.ops.quote_name(table)} t")
            rows.extend(row[0] for row in cursor.fetchall())
    return rows
