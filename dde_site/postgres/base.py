"""Django's Postgres backend; its pool checks a connection it hands out by its socket first.

After a Postgres restart or failover every pooled connection is dead, and one handed out
unchecked failed a request (a 500, a viewer's socket closed with 1011) before the pool
dropped it; found by the fault suite (docs/reliability.md). Django's pool check sends an
empty query each time, which was a third of the round trips of a listener's one-packet
transaction. An idle connection has nothing to read; one the server has closed has (the
end of the stream, usually after its "terminating connection" message), so only then is
that query sent. A session the server is cutting at the very moment it is handed out
passes, as it could pass the query and fail the next one.
"""

from __future__ import annotations

import select
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus
from psycopg_pool import ConnectionPool


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        while self.pool is not None and not _alive(connection):
            self.pool.putconn(connection)  # closed: the pool drops it and opens another
            connection = super().get_new_connection(conn_params)
        return connection


def _alive(conn: psycopg.Connection[Any]) -> bool:
    if conn.closed:
        return False
    if conn.info.transaction_status == TransactionStatus.IDLE and not _readable(conn.fileno()):
        return True
    try:
        ConnectionPool.check_connection(conn)
    except psycopg.Error:
        conn.close()
        return False
    return True


def _readable(fd: int) -> bool:
    poller = select.poll()  # not select(): a listeners worker can hold over 1,024 sockets
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))
