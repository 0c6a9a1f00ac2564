"""One listener per fixture, cluster-wide: Postgres advisory locks, all held on one connection.

Each worker process keeps a single dedicated connection for the locks of all its listeners
(DESIGN.md "Locks scale with fixtures"), so hundreds of fixtures cost one connection. If the
process dies, Postgres drops the connection and every lock with it at once, and the next
dispatcher tick starts a new listener that resumes from storage.

If the process's host is cut off instead, Postgres frees the locks once its keepalives
give up on the session (``dde_site.keepalive``), and the process must know it too: while
it holds any lock, a thread asks the connection every few seconds whether it still lives.
A query into a partition fails once ``tcp_user_timeout`` passes, so the process learns it
lost every lease within the same bound as the server, and its listeners stop (``holds``).

A frozen process (SIGSTOP, a VM paused, swap) is another matter: its kernel still answers
keepalives, so the network never says it is gone. Its lock session, though, stops asking
"SELECT 1" every few seconds, and Postgres ends a session idle for longer than
``idle_session_timeout``: set on the lock connection to the dead-peer bound, it frees a
frozen worker's locks within that bound too, and the worker, once it runs again, finds its
connection gone at its next check and stops its listeners as above.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from dataclasses import dataclass

import psycopg
import structlog
from django.conf import settings
from django.db import connection

from streams.conninfo import database_conninfo

_ADVISORY_LOCKS_OF_THIS_DATABASE = """
    SELECT classid::bigint, objid::bigint, pid FROM pg_locks
    WHERE locktype = 'advisory' AND objsubid = 1 AND granted
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


# application_name of a process's lock connection: this prefix and the OS process id.
LOCKS_APPLICATION = "dde-locks-"

# How often the lock connection is asked whether it lives, while it holds a lock. A dead
# one is noticed this long plus the dead-peer bound (tcp_user_timeout) after it died.
CHECK_EVERY_SECONDS = 2.0

log = structlog.get_logger(__name__)


class LeaseLost(Exception):
    """Another listener has taken the fixture over; this one must stop writing."""


def lock_key(fixture_id: uuid.UUID) -> int:
    """A signed 64-bit advisory lock key derived from the fixture's UUID."""
    return int.from_bytes(fixture_id.bytes[:8], "big", signed=True)


@dataclass(frozen=True)
class Lease:
    fixture_id: uuid.UUID
    key: int
    pid: int


class ProcessLocks:
    """The advisory locks of this process, held on one connection shared by its threads."""

    def __init__(
        self,
        conninfo: str,
        *,
        check_every_seconds: float = CHECK_EVERY_SECONDS,
        idle_session_seconds: float | None = None,
    ) -> None:
        """``idle_session_seconds``: Postgres ends the lock session after this long without
        a query (a frozen process); at least a few check intervals. None: never."""
        if idle_session_seconds is not None and idle_session_seconds < 3 * check_every_seconds:
            raise ValueError("idle_session_seconds must be at least three check intervals")
        self._conninfo = conninfo
        self._check_every = check_every_seconds
        self._idle_session_ms = (
            None if idle_session_seconds is None else round(idle_session_seconds * 1000)
        )
        self._mutex = threading.Lock()
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._held: dict[uuid.UUID, Lease] = {}
        self._watcher: threading.Thread | None = None

    def holds(self, lease: Lease) -> bool:
        """Whether this process still holds the lease, as far as it knows (no I/O)."""
        # No mutex: a check of a connection into a partition holds it for up to the
        # dead-peer bound, and listeners ask this on their event loop. A dict read is atomic.
        return self._held.get(lease.fixture_id) == lease

    def check_connection(self) -> bool:
        """Ask the lock connection whether it lives; if it does not, every lease is lost
        (Postgres has freed, or is about to free, the locks). False when leases were lost."""
        with self._mutex:
            if not self._held:
                return True
            if self._conn is not None and not self._conn.closed:
                try:
                    self._conn.execute("SELECT 1")
                    return True
                except psycopg.Error as exc:
                    error = f"{type(exc).__name__}: {str(exc).strip()[:200]}"
            else:
                error = "connection closed"
            lost = sorted(str(fixture_id) for fixture_id in self._held)
            self._held.clear()
            self._drop_connection()
        log.warning("locks.connection_lost", fixtures=lost, error=error)
        return False

    def _watch(self) -> None:
        while True:
            time.sleep(self._check_every)
            with self._mutex:
                if not self._held:
                    self._watcher = None  # the next lock taken starts another
                    return
            self.check_connection()

    def _ensure_watched(self) -> None:
        # Called with the mutex held, after a lock was taken.
        if self._watcher is None:
            self._watcher = threading.Thread(
                target=self._watch, name="dde-locks-check", daemon=True
            )
            self._watcher.start()

    def try_acquire(self, fixture_id: uuid.UUID) -> Lease | None:
        """Take the fixture's lock, or return None when anyone (even this process) holds it."""
        with self._mutex:
            conn = self._connection()
            if fixture_id in self._held:
                return None
            key = lock_key(fixture_id)
            row = conn.execute(
                "SELECT pg_try_advisory_lock(%s), pg_backend_pid()", [key]
            ).fetchone()
            assert row is not None
            acquired, pid = bool(row[0]), int(str(row[1]))
            if not acquired:
                return None
            lease = Lease(fixture_id, key, pid)
            self._held[fixture_id] = lease
            self._ensure_watched()
            return lease

    def release(self, lease: Lease) -> None:
        with self._mutex:
            if self._held.get(lease.fixture_id) != lease:
                return
            del self._held[lease.fixture_id]
            if self._conn is None or self._conn.closed or self._conn.info.backend_pid != lease.pid:
                return  # the session that held it is gone, and the lock with it
            try:
                self._conn.execute("SELECT pg_advisory_unlock(%s)", [lease.key])
            except psycopg.Error:
                self._drop_connection()

    def close(self) -> None:
        with self._mutex:
            self._held.clear()
            # Unlock before closing: Postgres drops a closed session's locks a moment
            # later, and the dispatcher should see the fixtures free at once.
            if self._conn is not None and not self._conn.closed:
                with contextlib.suppress(psycopg.Error):
                    self._conn.execute("SELECT pg_advisory_unlock_all()")
            self._drop_connection()

    def _connection(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._conn is not None and not self._conn.closed:
            try:
                self._conn.execute("SELECT 1")
                return self._conn
            except psycopg.Error:
                pass
        # A new session holds none of the old locks: forget them. Their listeners are
        # fenced by the fixture's epoch and stop at their next write once taken over.
        self._drop_connection()
        self._held.clear()
        # Named after the process, so pg_stat_activity says which process holds which
        # fixtures (an operator, or the fault suite choosing the worker to kill).
        self._conn = psycopg.connect(
            self._conninfo, autocommit=True, application_name=f"{LOCKS_APPLICATION}{os.getpid()}"
        )
        if self._idle_session_ms is not None:
            # SET, not the connection's options: those carry the keepalives already.
            self._conn.execute(f"SET idle_session_timeout = {self._idle_session_ms}")
        return self._conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
        self._conn = None


def followed_keys() -> set[int]:
    """Lock keys currently held by any listener in the cluster."""
    with connection.cursor() as cursor:
        cursor.execute(_ADVISORY_LOCKS_OF_THIS_DATABASE)
        rows = cursor.fetchall()
    keys = set()
    for classid, objid, _pid in rows:
        unsigned = (int(classid) << 32) | int(objid)
        keys.add(unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned)
    return keys


def is_followed(fixture_id: uuid.UUID) -> bool:
    return lock_key(fixture_id) in followed_keys()


_process_locks: ProcessLocks | None = None
_process_locks_mutex = threading.Lock()


def process_locks() -> ProcessLocks:
    """The lock holder of this process, created on first use."""
    global _process_locks
    with _process_locks_mutex:
        if _process_locks is None:
            _process_locks = ProcessLocks(
                database_conninfo(),
                idle_session_seconds=settings.DEAD_PEER_BOUNDS.user_timeout_seconds,
            )
        return _process_locks
