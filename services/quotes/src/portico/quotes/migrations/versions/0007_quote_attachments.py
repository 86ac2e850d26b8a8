"""files attached to a quote

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('quote_attachments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('quote_id', sa.Uuid(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('blob_key', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_quote_attachments_quote_id_quotes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_attachments'))
    )
    with op.batch_alter_table('quote_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_attachments_quote_id'), ['quote_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('quote_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_attachments_quote_id'))

    op.drop_table('quote_attachments')
