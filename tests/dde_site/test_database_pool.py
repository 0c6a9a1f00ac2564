"""The connection pool: how it checks the connections it hands out (dde_site/postgres)."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from streams.conninfo import database_conninfo
from streams.models import Fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_pooled_connection_cut_by_the_server_is_replaced_not_handed_out() -> None:
    assert connection.pool is not None, "the product runs with a pool (DATABASE_POOL_SIZE)"
    # Fill the pool with a few idle sessions, then have Postgres end all but one.
    held = [connection.pool.getconn() for _ in range(3)]
    for conn in held:
        connection.pool.putconn(conn)
    connection.close()
    with connection.pool.connection() as survivor:
        # Waits until each session has ended (as after a restart): a connection the server
        # is still in the middle of cutting passes any check, and fails the next query.
        survivor.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'"
        )
    # Every one of the next queries gets a live connection: none fails on a dead one.
    for _ in range(5):
        assert Fixture.objects.count() == 0
        connection.close()


def test_a_live_idle_connection_is_handed_out_without_a_query() -> None:
    # The check looks at the socket first (dde_site/postgres): a query per checkout was a
    # third of the round trips of a listener's one-packet transaction.
    connection.ensure_connection()
    connection.close()  # at least one idle connection in the pool
    with psycopg.connect(database_conninfo(), autocommit=True) as observer:
        before = dict(observer.execute(LAST_QUERY_STARTS).fetchall())
        connection.ensure_connection()  # out of the pool, checked
        pid = connection.connection.info.backend_pid
        after = dict(observer.execute(LAST_QUERY_STARTS).fetchall())
    assert pid in before, "handed out from the pool, not newly opened"
    assert after[pid] == before[pid], "no query was sent to check it"


LAST_QUERY_STARTS = (
    "SELECT pid, query_start FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)
