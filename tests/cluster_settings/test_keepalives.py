"""Every connection the product opens to Postgres or Redis has bounded dead-peer detection,
checked on the real connection: the server's session settings and the socket's options."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from typing import Any
from unittest import mock

import psycopg
import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import caches
from django.db import connection

from dde_site.celery import app as celery_app
from streams.conninfo import database_conninfo
from streams.feed.locks import ProcessLocks
from streams.ops import health
from streams.redis_client import redis_client

pytestmark = pytest.mark.django_db(transaction=True)

BOUNDS = settings.DEAD_PEER_BOUNDS
USER_TIMEOUT_MS = round(BOUNDS.user_timeout_seconds * 1000)
# What the server must be probing with for a session (pg_settings, raw units: s, s, -, ms).
SERVER_SIDE = {
    "tcp_keepalives_idle": str(BOUNDS.idle_seconds),
    "tcp_keepalives_interval": str(BOUNDS.interval_seconds),
    "tcp_keepalives_count": str(BOUNDS.count),
    "tcp_user_timeout": str(USER_TIMEOUT_MS),
}
# What the client's socket must carry.
CLIENT_SIDE = {
    (socket.SOL_SOCKET, socket.SO_KEEPALIVE): 1,
    (socket.IPPROTO_TCP, socket.TCP_KEEPIDLE): BOUNDS.idle_seconds,
    (socket.IPPROTO_TCP, socket.TCP_KEEPINTVL): BOUNDS.interval_seconds,
    (socket.IPPROTO_TCP, socket.TCP_KEEPCNT): BOUNDS.count,
    (socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT): USER_TIMEOUT_MS,
}


def socket_options(fd: int) -> dict[tuple[int, int], int]:
    sock = socket.socket(fileno=os.dup(fd))
    try:
        return {(level, name): sock.getsockopt(level, name) for level, name in CLIENT_SIDE}
    finally:
        sock.close()


def server_settings(execute: Any) -> dict[str, str]:
    rows = execute(
        "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(SERVER_SIDE)]
    )
    return dict(rows)


def test_the_bounds_are_the_defaults_the_tests_expect() -> None:
    # The values below would prove nothing if the bounds were the kernel's own defaults.
    assert (BOUNDS.idle_seconds, BOUNDS.interval_seconds, BOUNDS.count) == (5, 2, 3)
    assert BOUNDS.user_timeout_seconds >= 5 + 3 * 2


def test_a_django_connection_asks_the_server_for_keepalives_and_sets_its_own() -> None:
    connection.ensure_connection()
    with connection.cursor() as cursor:

        def execute(sql: str, params: list[Any]) -> list[tuple[str, str]]:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

        assert server_settings(execute) == SERVER_SIDE
    raw = connection.connection
    assert raw is not None
    assert socket_options(raw.fileno()) == CLIENT_SIDE


def test_the_lock_connection_asks_the_server_for_keepalives_and_sets_its_own() -> None:
    locks = ProcessLocks(database_conninfo())
    try:
        assert locks.try_acquire(uuid.uuid4()) is not None
        conn = locks._conn  # the seam: the process's one lock connection
        assert conn is not None
        assert server_settings(lambda sql, p: conn.execute(sql, p).fetchall()) == SERVER_SIDE
        assert socket_options(conn.fileno()) == CLIENT_SIDE
        assert conn.info.get_parameters()["tcp_user_timeout"] == str(USER_TIMEOUT_MS)
    finally:
        locks.close()


@pytest.fixture
def opened_psycopg_connections() -> Iterator[list[psycopg.Connection[Any]]]:
    """Every psycopg connection opened meanwhile, kept open until the test is done."""
    opened: list[psycopg.Connection[Any]] = []
    real_connect = psycopg.Connection.connect

    def connect(*args: Any, **kwargs: Any) -> psycopg.Connection[Any]:
        conn = real_connect(*args, **kwargs)
        opened.append(conn)
        conn.close = lambda: None  # type: ignore[method-assign]  # inspected after use
        return conn

    with mock.patch.object(psycopg, "connect", side_effect=connect):
        yield opened
    for conn in opened:
        psycopg.Connection.close(conn)


def test_the_health_probe_connection_keeps_the_keepalives_beside_its_statement_timeout(
    opened_psycopg_connections: list[psycopg.Connection[Any]],
) -> None:
    assert health.check_database() == {"ok": True}
    (probe,) = opened_psycopg_connections
    assert server_settings(lambda sql, p: probe.execute(sql, p).fetchall()) == SERVER_SIDE
    assert probe.execute("SHOW statement_timeout").fetchone() == ("2s",)
    assert socket_options(probe.fileno()) == CLIENT_SIDE


def redis_socket_options(client: Any) -> dict[tuple[int, int], int]:
    conn = client.connection_pool.get_connection()
    try:
        conn.connect()
        return socket_options(conn._sock.fileno())
    finally:
        client.connection_pool.release(conn)


def test_our_redis_clients_probe_and_time_out_a_dead_peer() -> None:
    with redis_client() as client:
        assert redis_socket_options(client) == CLIENT_SIDE
        kwargs = client.connection_pool.connection_kwargs
        assert kwargs["socket_timeout"] == settings.REDIS_CONNECTION_OPTIONS["socket_timeout"]
        assert kwargs["health_check_interval"] > 0


def test_the_api_throttle_cache_probes_and_times_out_a_dead_peer() -> None:
    client = caches["api"]._cache.get_client()  # type: ignore[attr-defined]
    assert redis_socket_options(client) == CLIENT_SIDE
    assert client.connection_pool.connection_kwargs["socket_timeout"] == 2


def test_the_celery_broker_connection_probes_and_times_out_a_dead_peer() -> None:
    with celery_app.connection_for_write() as broker:
        client = broker.default_channel.client
        assert redis_socket_options(client) == CLIENT_SIDE
        kwargs = client.connection_pool.connection_kwargs
        assert kwargs["socket_timeout"] == settings.REDIS_CONNECTION_OPTIONS["socket_timeout"]
        assert kwargs["health_check_interval"] > 0


def test_the_channel_layer_connection_probes_and_times_out_a_dead_peer() -> None:
    layer = get_channel_layer()

    async def publish_and_inspect() -> dict[tuple[int, int], int]:
        await layer.group_send(f"keepalive-{uuid.uuid4().hex}", {"type": "test.probe"})
        shard = layer._shards[0]  # type: ignore[union-attr]
        pool = shard._redis.connection_pool
        conn = await pool.get_connection()
        try:
            await conn.connect()
            sock = conn._writer.get_extra_info("socket")
            options = socket_options(sock.fileno())
            assert pool.connection_kwargs["health_check_interval"] > 0
            assert pool.connection_kwargs["socket_timeout"] > 0
            return options
        finally:
            await pool.release(conn)
            await layer.flush()

    assert async_to_sync(publish_and_inspect)() == CLIENT_SIDE
