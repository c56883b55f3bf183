"""Moving SQLite's write-ahead log into the database file and emptying it.

SQLite in WAL mode appends every change to `<db>-wal` and copies it into the database file at
a checkpoint; the WAL file keeps the old bytes until it is overwritten or truncated. After an
erasure those bytes are exactly what must go (with `secure_delete` on, the database file itself
overwrites freed pages), so erasure calls `checkpoint_wal()` once it has committed.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)


def checkpoint_wal(engine: Engine) -> bool:
    """PRAGMA wal_checkpoint(TRUNCATE) on SQLite (nothing elsewhere). Returns False when a
    reader kept it from finishing; the next checkpoint (or `opschonen`) completes it."""
    if engine.dialect.name != "sqlite":
        return True
    raw = engine.raw_connection()
    try:
        # A driver-level statement outside any transaction (a checkpoint cannot run inside one).
        bezet, *_ = raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        raw.close()
    if bezet:
        logger.warning("WAL checkpoint after erasure was blocked by a reader; it completes at the next one")
    return not bezet
