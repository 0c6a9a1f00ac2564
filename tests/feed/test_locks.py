"""Advisory locks of a process: who holds them can be read from Postgres."""

from __future__ import annotations

import os
import uuid

import pytest
from django.db import connection

from streams.conninfo import database_conninfo
from streams.feed.locks import LOCKS_APPLICATION, ProcessLocks

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_lock_connection_is_named_after_the_process_that_holds_the_fixtures() -> None:
    locks = ProcessLocks(database_conninfo())
    try:
        lease = locks.try_acquire(uuid.uuid4())
        assert lease is not None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT application_name FROM pg_stat_activity WHERE pid = %s", [lease.pid]
            )
            assert cursor.fetchone() == (f"{LOCKS_APPLICATION}{os.getpid()}",)
    finally:
        locks.close()
