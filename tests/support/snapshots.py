"""Snapshots of an expensive fixture's result: built once per session and database kind, then
restored into each later test's own empty database and data folder.

Importing the 90 example stories (analysis, tagging, indexing) takes 4–6 s; many pack,
valuing and search tests start from exactly that state. The first test of a session to ask
for it builds it for real; later tests get the same rows (same ids, sequences moved past them)
and a copy of the data folder (search index, photos, models) in a few tens of milliseconds.
The build runs unchanged for the first test of each kind, so what the fixture does is still
exercised in every run.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.engine import Connection

from tests.support.databases import empty_tables


@dataclass
class Snapshot:
    before: tuple  # the state the build started from: restored only onto the same state
    rows: dict[str, list[dict[str, Any]]]
    data_dir: Path
    value: Any


class Snapshots:
    """Per-session store of fixture snapshots, keyed by name and database kind."""

    def __init__(self, root: Path):
        self.root = root
        self._snapshots: dict[tuple[str, str], Snapshot] = {}

    def build_or_restore(self, name: str, build: Callable[[], Any]) -> Any:
        """`build()`'s return value, after building it here or restoring its snapshot.

        Runs inside the test's app context. `build` must commit what it stores and return plain
        data (not ORM objects): the value is handed to every later test as a deep copy.
        """
        from verhalenbank.extensions import db

        key = (name, db.engine.dialect.name)
        data_dir = Path(current_app.config["VERHALENBANK"].data_dir)
        db.session.commit()  # ends the session's transaction: the restore uses its own
        before = _state(data_dir)
        snapshot = self._snapshots.get(key)
        if snapshot is None or snapshot.before != before:
            # First use, or this test's other fixtures stored something first: build for real.
            value = build()
            db.session.commit()
            if snapshot is None:
                self._snapshots[key] = snapshot = self._capture(key, data_dir, before, value)
            return copy.deepcopy(value)
        self._restore(snapshot, data_dir)
        db.session.expire_all()
        return copy.deepcopy(snapshot.value)

    def _capture(self, key: tuple[str, str], data_dir: Path, before: tuple, value: Any) -> Snapshot:
        from verhalenbank.core.models import Base
        from verhalenbank.extensions import db

        with db.engine.connect() as connection:
            rows = {
                table.name: [dict(row._mapping) for row in connection.execute(select(table))]
                for table in Base.metadata.sorted_tables
            }
            connection.rollback()
        target = self.root / "-".join(key)
        shutil.copytree(data_dir, target)
        return Snapshot(before=before, rows=rows, data_dir=target, value=value)

    def _restore(self, snapshot: Snapshot, data_dir: Path) -> None:
        from verhalenbank.core.models import Base
        from verhalenbank.extensions import db

        with db.engine.begin() as connection:
            empty_tables(connection)
            for table in Base.metadata.sorted_tables:
                if snapshot.rows[table.name]:
                    connection.execute(table.insert(), snapshot.rows[table.name])
            if connection.dialect.name == "postgresql":
                _move_sequences_past_rows(connection)
        for child in data_dir.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
        shutil.copytree(snapshot.data_dir, data_dir, dirs_exist_ok=True)


def _state(data_dir: Path) -> tuple:
    """What a test holds so far: rows and highest id per table, and the files of its data folder."""
    from verhalenbank.core.models import Base
    from verhalenbank.extensions import db

    parts = []
    for table in Base.metadata.sorted_tables:
        column = table.autoincrement_column
        highest = f'MAX("{column.name}")' if column is not None else "0"
        parts.append(f"SELECT '{table.name}', COUNT(*), {highest} FROM \"{table.name}\"")
    with db.engine.connect() as connection:
        rows = tuple(sorted(tuple(row) for row in connection.exec_driver_sql(" UNION ALL ".join(parts))))
        connection.rollback()
    files = tuple(sorted(str(path.relative_to(data_dir)) for path in data_dir.rglob("*")))
    return rows, files


def _move_sequences_past_rows(connection: Connection) -> None:
    """Every serial id column's sequence continues after the restored rows, as after real inserts."""
    from verhalenbank.core.models import Base

    statements = [
        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{column.name}'), "
        f'COALESCE(MAX("{column.name}"), 1), MAX("{column.name}") IS NOT NULL) FROM "{table.name}"'
        for table in Base.metadata.sorted_tables
        if (column := table.autoincrement_column) is not None
    ]
    if statements:
        connection.exec_driver_sql("; ".join(statements))
