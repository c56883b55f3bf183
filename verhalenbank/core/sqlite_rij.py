"""A queue for SQLite transactions across threads and server processes.

Every transaction on SQLite begins IMMEDIATE (core/hooks.py), so they run one at a time.
SQLite's own waiting (busy_timeout) polls: under sustained load (50 residents sending at once,
served by several processes) a waiting request can lose the race again and again and fail
with "database is locked" after the timeout while others are served. Here a waiting
transaction instead blocks on a thread lock and an exclusive `flock` on a file next to the
database, and the kernel wakes it as soon as the previous transaction ends.

Re-entrant per thread: a second connection opened by the same thread while its first
transaction is open passes straight through (and then meets SQLite's own busy handling,
exactly as without this queue), so the queue can never deadlock a thread on itself.
"""

from __future__ import annotations

import fcntl
import os
import threading

_INFO_KEY = "verhalenbank_sqlite_rij"


class _Rij:
    def __init__(self, path: str):
        self.path = path + ".schrijfrij"
        self.thread_lock = threading.Lock()
        self.local = threading.local()
        self.fd: int | None = None
        self.fd_pid: int | None = None

    def _file(self) -> int:
        # A descriptor inherited through fork() shares its flock with the parent: open one per process.
        if self.fd is None or self.fd_pid != os.getpid():
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self.fd_pid = os.getpid()
        return self.fd

    def acquire(self) -> None:
        depth = getattr(self.local, "depth", 0)
        if depth == 0:
            self.thread_lock.acquire()
            try:
                fcntl.flock(self._file(), fcntl.LOCK_EX)
            except BaseException:
                self.thread_lock.release()
                raise
        self.local.depth = depth + 1

    def release(self) -> None:
        depth = getattr(self.local, "depth", 0)
        if depth <= 0:
            return
        self.local.depth = depth - 1
        if depth == 1:
            try:
                fcntl.flock(self._file(), fcntl.LOCK_UN)
            finally:
                self.thread_lock.release()


_rijen: dict[str, _Rij] = {}
_rijen_lock = threading.Lock()


def _rij_voor(database: str | None) -> _Rij | None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = os.path.abspath(database)
    with _rijen_lock:
        rij = _rijen.get(path)
        if rij is None:
            rij = _rijen[path] = _Rij(path)
    return rij


def enter(connection) -> None:
    """Before BEGIN IMMEDIATE: wait for our turn (call `leave_after_failed_begin` on failure)."""
    rij = _rij_voor(connection.engine.url.database)
    if rij is not None and not connection.info.get(_INFO_KEY):
        rij.acquire()
        connection.info[_INFO_KEY] = rij


def leave(connection) -> None:
    """The transaction ends (commit or rollback): the next one may begin."""
    rij = connection.info.pop(_INFO_KEY, None)
    if rij is not None:
        rij.release()
