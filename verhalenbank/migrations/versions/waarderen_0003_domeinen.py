"""waarderingssessie per domein van verandering

Revision ID: waarderen_0003
Revises: jobs_0001
Create Date: 2026-12-05 02:21:07.795137

A session is divided per subdoel (as before; every existing session) or per domain of change:
`sessie_domeinen` holds the domains, and the selection, the participants' choices and the
group's choices point at a subdoel or at a domain, never both (check `een_onderdeel`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'waarderen_0003'
down_revision = 'jobs_0001'
branch_labels = None
depends_on = None

EEN_ONDERDEEL = "(subdoel_id IS NULL) <> (domein_id IS NULL)"
# The tables whose rows point at a subdoel or a domain, with the columns of the new unique key.
ONDERDELEN = {
    "sessie_groepskeuzes": ["domein_id"],
    "sessie_keuzes": ["domein_id", "deelnemer_id"],
    "sessie_verhalen": ["domein_id", "verhaal_id"],
}


def upgrade() -> None:
    op.create_table(
        "sessie_domeinen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sessie_id", sa.Integer(), nullable=False),
        sa.Column("naam", sa.String(length=200), nullable=False),
        sa.Column("subdoel_ids", sa.JSON(), nullable=False),
        sa.Column("volgorde", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["sessie_id"], ["waarderingssessies.id"],
                                name=op.f("fk_sessie_domeinen_sessie_id_waarderingssessies"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessie_domeinen")),
    )
    with op.batch_alter_table("sessie_domeinen", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessie_domeinen_sessie_id"), ["sessie_id"], unique=False)

    for tabel, sleutel in ONDERDELEN.items():
        with op.batch_alter_table(tabel, schema=None) as batch_op:
            batch_op.add_column(sa.Column("domein_id", sa.Integer(), nullable=True))
            batch_op.alter_column("subdoel_id", existing_type=sa.INTEGER(), nullable=True)
            batch_op.create_unique_constraint(batch_op.f(f"uq_{tabel}_domein_id"), sleutel)
            batch_op.create_foreign_key(batch_op.f(f"fk_{tabel}_domein_id_sessie_domeinen"), "sessie_domeinen",
                                        ["domein_id"], ["id"], ondelete="CASCADE")
            batch_op.create_check_constraint("een_onderdeel", EEN_ONDERDEEL)

    with op.batch_alter_table("waarderingssessies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("indeling", sa.String(length=20), server_default="subdoel", nullable=False))


def downgrade() -> None:
    """Sessions per domain cannot exist in the older schema: their rows go."""
    with op.batch_alter_table("waarderingssessies", schema=None) as batch_op:
        batch_op.drop_column("indeling")

    for tabel in reversed(ONDERDELEN):
        op.execute(f"DELETE FROM {tabel} WHERE subdoel_id IS NULL")
        with op.batch_alter_table(tabel, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{tabel}_een_onderdeel"), type_="check")
            batch_op.drop_constraint(batch_op.f(f"fk_{tabel}_domein_id_sessie_domeinen"), type_="foreignkey")
            batch_op.drop_constraint(batch_op.f(f"uq_{tabel}_domein_id"), type_="unique")
            batch_op.alter_column("subdoel_id", existing_type=sa.INTEGER(), nullable=False)
            batch_op.drop_column("domein_id")

    with op.batch_alter_table("sessie_domeinen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessie_domeinen_sessie_id"))
    op.drop_table("sessie_domeinen")
