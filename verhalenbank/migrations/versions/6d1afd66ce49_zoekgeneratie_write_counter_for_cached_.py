"""zoekgeneratie: write counter for cached search facets

Revision ID: 6d1afd66ce49
Revises: 0001
Create Date: 2026-11-29 15:27:15.340766
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '6d1afd66ce49'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('zoekgeneratie',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('generatie', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zoekgeneratie'))
    )


def downgrade() -> None:
    op.drop_table('zoekgeneratie')
