"""veilig: story and transcript ids are never reused on SQLite (AUTOINCREMENT)

Revision ID: veilig_0002
Revises: veilig_0001
Create Date: 2026-12-03 22:05:00

Without AUTOINCREMENT SQLite hands out max(id) + 1, so erasing the newest story gave its id to
the next one, and that story's AVG export listed the erased story's audit entries. PostgreSQL
sequences never go back; nothing changes there.
"""

from __future__ import annotations

from alembic import op

revision = "veilig_0002"
down_revision = "veilig_0001"
branch_labels = None
depends_on = None

TABELLEN = ("verhalen", "transcripten")


def _recreate(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for tabel in TABELLEN:
        with op.batch_alter_table(tabel, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    _recreate(True)


def downgrade() -> None:
    _recreate(False)
