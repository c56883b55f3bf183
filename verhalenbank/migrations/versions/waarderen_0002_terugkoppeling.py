"""contactgegevens.terugkoppeling: the teller's consent to hear back about the story

Revision ID: waarderen_0002
Revises: waarderen_0001
Create Date: 2026-12-04 15:05:00

Existing contact details were given for a follow-up conversation only, so they start without
consent for feedback (false): nobody is written to who did not agree.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "waarderen_0002"
down_revision = "waarderen_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contactgegevens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("terugkoppeling", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("contactgegevens", schema=None) as batch_op:
        batch_op.drop_column("terugkoppeling")
