"""A queue for SQLite transactions across threads and server processes.

Every transaction on SQLite begins IMMEDIATE (core/hooks.py), so they run one at a time.
SQLite's own waiting (busy_timeout) polls: under sustained load (50 residents sending at once,
served by several processes) a waiting request can lose the race again and again and fail
with "database is locked" after the timeout while others are served. Here a waiting
transaction instead blocks on a thread lock and an exclusive `flock` on a file next to the
database, and the kernel wakes it as soon as the previous transaction ends.

Views that only read (marked `@alleen_lezen`, e.g. the public form page and its thank-you
page) skip the queue on GET and HEAD: their transactions begin DEFERRED, so in WAL mode they
read the last commit without waiting for a writer and without holding one up while the page
renders. The resident form's POST reads first in the same way and calls `begin_schrijven`
where it starts to store: only that short part takes a turn in the queue. A write inside a
reading transaction is refused at once (`LeesVerzoekSchrijft`), never left to fail under load.

Re-entrant per thread: a second connection opened by the same thread while its first
transaction is open passes straight through (and then meets SQLite's own busy handling,
exactly as without this queue), so the queue can never deadlock a thread on itself.
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from typing import Iterator

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


# --- read-only requests ---------------------------------------------------------------------

_ALLEEN_LEZEN_ATTR = "_verhalenbank_alleen_lezen"
_LEZEN_KEY = "verhalenbank_alleen_lezen"
_SCHRIJVEN = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class LeesVerzoekSchrijft(RuntimeError):
    """A view marked @alleen_lezen tried to write on GET/HEAD: a programming error."""


_EERST_LEZEN = "eerst_lezen"
_SCHRIJFT_NU = "_verhalenbank_schrijft_nu"


def alleen_lezen(view=None, *, eerst_lezen: bool = False):
    """Mark a view whose GET and HEAD only read the database (see the module docstring).
    With `eerst_lezen=True` its other methods read first too, until `begin_schrijven`."""

    def mark(view):
        setattr(view, _ALLEEN_LEZEN_ATTR, _EERST_LEZEN if eerst_lezen else True)
        return view

    return mark(view) if view is not None else mark


_lokaal = threading.local()


@contextmanager
def alleen_lezend() -> Iterator[None]:
    """Transactions this thread begins in the block only read: a deferred BEGIN, which in WAL
    mode neither waits for the write queue nor holds it (writes are refused). For a reader that
    holds a lock writers may wait for (the search index's write lock): it never waits for them
    in turn. A transaction already open goes on as it is."""
    vorige = getattr(_lokaal, "lezen", False)
    _lokaal.lezen = True
    try:
        yield
    finally:
        _lokaal.lezen = vorige


def in_leesverzoek() -> bool:
    """True while a request to a view marked @alleen_lezen is in its reading part, or inside
    `alleen_lezend`."""
    from flask import current_app, g, has_request_context, request

    if getattr(_lokaal, "lezen", False):
        return True
    if not has_request_context() or request.endpoint is None:
        return False
    mark = getattr(current_app.view_functions.get(request.endpoint), _ALLEEN_LEZEN_ATTR, False)
    if not mark:
        return False
    if request.method in ("GET", "HEAD"):
        return True
    return mark == _EERST_LEZEN and not g.get(_SCHRIJFT_NU, False)


def _eigen_sessie(session):
    """The Session itself behind a scoped_session (whose proxy lacks some attributes)."""
    return session.registry() if hasattr(session, "registry") else session


def begin_schrijven(session) -> None:
    """The view is about to store: end its reading transaction (it wrote nothing), so that the
    next one takes its turn in the queue. Objects read so far stay loaded (they are a few
    milliseconds old): reloading them would cost statements while holding the write turn."""
    from flask import g, has_request_context

    if has_request_context():
        setattr(g, _SCHRIJFT_NU, True)
    if session.new or session.dirty or session.deleted:
        raise LeesVerzoekSchrijft("begin_schrijven after changes: call it before the first write")
    echte = _eigen_sessie(session)
    if echte.get_bind().dialect.name != "sqlite":
        return  # no write queue to take a turn in: ending the transaction would be a wasted round trip
    verloop = echte.expire_on_commit
    echte.expire_on_commit = False
    try:
        echte.commit()  # nothing to write: only ends the reading transaction
    finally:
        echte.expire_on_commit = verloop


def einde_leesverzoek(session) -> None:
    """A request ends: a reading transaction it left open ends with it (it wrote nothing).
    Otherwise the next request on the same session (one app context, as in tests or a CLI
    that calls views) would carry on inside it and be refused its writes."""
    echte = _eigen_sessie(session)
    transactie = echte.get_transaction()
    if transactie is None:
        return
    if not transactie.is_active or echte.connection().info.get(_LEZEN_KEY):
        echte.rollback()  # a failed flush (e.g. a refused write) needs its rollback too


def begin_lezen(connection) -> None:
    connection.exec_driver_sql("BEGIN")  # deferred: a WAL reader neither waits nor blocks
    connection.info[_LEZEN_KEY] = True


def einde_lezen(connection) -> None:
    connection.info.pop(_LEZEN_KEY, None)


def weiger_schrijven(connection, statement: str) -> None:
    if connection.info.get(_LEZEN_KEY) and statement.lstrip()[:6].upper() in _SCHRIJVEN:
        raise LeesVerzoekSchrijft(f"write in a read-only request: {statement[:60]}")
