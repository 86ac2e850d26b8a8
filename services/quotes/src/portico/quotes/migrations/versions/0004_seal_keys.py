"""the key signed quotes are sealed under

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('seal_keys',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pkcs12', sa.LargeBinary(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seal_keys'))
    )
    with op.batch_alter_table('seal_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seal_keys_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('seal_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seal_keys_created_at'))

    op.drop_table('seal_keys')
