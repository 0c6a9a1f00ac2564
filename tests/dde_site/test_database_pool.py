"""The connection pool after Postgres has cut its sessions (a restart, a failover)."""

from __future__ import annotations

import pytest
from django.db import connection

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
        survivor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'"
        )
    # Every one of the next queries gets a live connection: none fails on a dead one.
    for _ in range(5):
        assert Fixture.objects.count() == 0
        connection.close()
