"""woordsoorten per verhaal

Revision ID: verhalen_0001
Revises: waarderen_0003
Create Date: 2026-12-05 08:05:00

Part-of-speech counts and noun phrases of each story's public text, made when the story is
analysed, so that building a feedback pack never loads the language pipeline. Existing stories
keep NULL (packs tag those when they are built) until `verhalenbank analyse --opnieuw`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "verhalen_0001"
down_revision = "waarderen_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("verhalen", sa.Column("woordsoorten", sa.JSON(), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite >= 3.35): a batch copy would lose the table's AUTOINCREMENT.
    op.drop_column("verhalen", "woordsoorten")
