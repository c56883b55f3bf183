"""veilig: API tokens expire and can be read-only; sessions bound to a per-user secret

Revision ID: veilig_0001
Revises: 6d1afd66ce49
Create Date: 2026-12-03 21:45:00
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = "veilig_0001"
down_revision = "6d1afd66ce49"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("verloopt_op", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("alleen_lezen", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("alleen_lezen", server_default=None)
    # Tokens made before expiry existed get 90 days from now, like a new one.
    api_tokens = sa.table("api_tokens", sa.column("verloopt_op", sa.DateTime(timezone=True)))
    op.execute(api_tokens.update().values(verloopt_op=datetime.now(timezone.utc) + timedelta(days=90)))

    with op.batch_alter_table("gebruikers") as batch:
        batch.add_column(sa.Column("sessie_sleutel", sa.String(64), nullable=True))
    connection = op.get_bind()
    gebruikers = sa.table("gebruikers", sa.column("id", sa.Integer), sa.column("sessie_sleutel", sa.String))
    for (gebruiker_id,) in connection.execute(sa.select(gebruikers.c.id)).all():
        connection.execute(
            gebruikers.update().where(gebruikers.c.id == gebruiker_id).values(sessie_sleutel=secrets.token_urlsafe(24))
        )
    with op.batch_alter_table("gebruikers") as batch:
        batch.alter_column("sessie_sleutel", existing_type=sa.String(64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("gebruikers") as batch:
        batch.drop_column("sessie_sleutel")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("alleen_lezen")
        batch.drop_column("verloopt_op")
