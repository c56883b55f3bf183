"""waarderingssessies

Revision ID: waarderen_0001
Revises: ui_0001
Create Date: 2026-12-03 22:04:17.519091
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'waarderen_0001'
down_revision = 'ui_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('waarderingssessies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ronde_id', sa.Integer(), nullable=False),
    sa.Column('titel', sa.String(length=200), nullable=False),
    sa.Column('vraag', sa.Text(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('panel', sa.JSON(), nullable=False),
    sa.Column('gemaakt_door_id', sa.Integer(), nullable=True),
    sa.Column('gesloten_op', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['gemaakt_door_id'], ['gebruikers.id'], name=op.f('fk_waarderingssessies_gemaakt_door_id_gebruikers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ronde_id'], ['rondes.id'], name=op.f('fk_waarderingssessies_ronde_id_rondes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waarderingssessies')),
    sa.UniqueConstraint('code', name=op.f('uq_waarderingssessies_code'))
    )
    with op.batch_alter_table('waarderingssessies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waarderingssessies_ronde_id'), ['ronde_id'], unique=False)

    op.create_table('sessie_deelnemers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sessie_id', sa.Integer(), nullable=False),
    sa.Column('naam', sa.String(length=100), nullable=True),
    sa.Column('sleutel_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sessie_id'], ['waarderingssessies.id'], name=op.f('fk_sessie_deelnemers_sessie_id_waarderingssessies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessie_deelnemers')),
    sa.UniqueConstraint('sleutel_hash', name=op.f('uq_sessie_deelnemers_sleutel_hash'))
    )
    with op.batch_alter_table('sessie_deelnemers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessie_deelnemers_sessie_id'), ['sessie_id'], unique=False)

    op.create_table('sessie_groepskeuzes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sessie_id', sa.Integer(), nullable=False),
    sa.Column('subdoel_id', sa.Integer(), nullable=False),
    sa.Column('verhaal_id', sa.Integer(), nullable=False),
    sa.Column('reden', sa.Text(), nullable=False),
    sa.Column('onenigheid', sa.Text(), nullable=False),
    sa.Column('vastgelegd_op', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sessie_id'], ['waarderingssessies.id'], name=op.f('fk_sessie_groepskeuzes_sessie_id_waarderingssessies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subdoel_id'], ['subdoelen.id'], name=op.f('fk_sessie_groepskeuzes_subdoel_id_subdoelen'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verhaal_id'], ['verhalen.id'], name=op.f('fk_sessie_groepskeuzes_verhaal_id_verhalen'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessie_groepskeuzes')),
    sa.UniqueConstraint('sessie_id', 'subdoel_id', name=op.f('uq_sessie_groepskeuzes_sessie_id'))
    )
    with op.batch_alter_table('sessie_groepskeuzes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessie_groepskeuzes_sessie_id'), ['sessie_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessie_groepskeuzes_verhaal_id'), ['verhaal_id'], unique=False)

    op.create_table('sessie_keuzes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deelnemer_id', sa.Integer(), nullable=False),
    sa.Column('subdoel_id', sa.Integer(), nullable=False),
    sa.Column('verhaal_id', sa.Integer(), nullable=False),
    sa.Column('reden', sa.Text(), nullable=False),
    sa.Column('gekozen_op', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deelnemer_id'], ['sessie_deelnemers.id'], name=op.f('fk_sessie_keuzes_deelnemer_id_sessie_deelnemers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subdoel_id'], ['subdoelen.id'], name=op.f('fk_sessie_keuzes_subdoel_id_subdoelen'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verhaal_id'], ['verhalen.id'], name=op.f('fk_sessie_keuzes_verhaal_id_verhalen'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessie_keuzes')),
    sa.UniqueConstraint('deelnemer_id', 'subdoel_id', name=op.f('uq_sessie_keuzes_deelnemer_id'))
    )
    with op.batch_alter_table('sessie_keuzes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessie_keuzes_deelnemer_id'), ['deelnemer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessie_keuzes_verhaal_id'), ['verhaal_id'], unique=False)

    op.create_table('sessie_verhalen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sessie_id', sa.Integer(), nullable=False),
    sa.Column('subdoel_id', sa.Integer(), nullable=False),
    sa.Column('verhaal_id', sa.Integer(), nullable=False),
    sa.Column('volgorde', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sessie_id'], ['waarderingssessies.id'], name=op.f('fk_sessie_verhalen_sessie_id_waarderingssessies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subdoel_id'], ['subdoelen.id'], name=op.f('fk_sessie_verhalen_subdoel_id_subdoelen'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verhaal_id'], ['verhalen.id'], name=op.f('fk_sessie_verhalen_verhaal_id_verhalen'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessie_verhalen')),
    sa.UniqueConstraint('sessie_id', 'subdoel_id', 'verhaal_id', name=op.f('uq_sessie_verhalen_sessie_id'))
    )
    with op.batch_alter_table('sessie_verhalen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessie_verhalen_sessie_id'), ['sessie_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessie_verhalen_verhaal_id'), ['verhaal_id'], unique=False)




def downgrade() -> None:
    
    with op.batch_alter_table('sessie_verhalen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessie_verhalen_verhaal_id'))
        batch_op.drop_index(batch_op.f('ix_sessie_verhalen_sessie_id'))

    op.drop_table('sessie_verhalen')
    with op.batch_alter_table('sessie_keuzes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessie_keuzes_verhaal_id'))
        batch_op.drop_index(batch_op.f('ix_sessie_keuzes_deelnemer_id'))

    op.drop_table('sessie_keuzes')
    with op.batch_alter_table('sessie_groepskeuzes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessie_groepskeuzes_verhaal_id'))
        batch_op.drop_index(batch_op.f('ix_sessie_groepskeuzes_sessie_id'))

    op.drop_table('sessie_groepskeuzes')
    with op.batch_alter_table('sessie_deelnemers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessie_deelnemers_sessie_id'))

    op.drop_table('sessie_deelnemers')
    with op.batch_alter_table('waarderingssessies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waarderingssessies_ronde_id'))

    op.drop_table('waarderingssessies')

