"""a quote's history, its decision and signer, the organisation replica, the company's
details and the e-signature setting

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('organisation_replica',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('brand_colour', sa.String(length=7), nullable=True),
    sa.Column('logo_url', sa.String(length=2000), nullable=True),
    sa.Column('default_locale', sa.String(length=2), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_replica'))
    )
    op.create_table('quote_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('quote_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('contact_id', sa.Uuid(), nullable=True),
    sa.Column('staff_id', sa.Uuid(), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=400), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_quote_events_quote_id_quotes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_events'))
    )
    with op.batch_alter_table('quote_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_events_quote_id'), ['quote_id'], unique=False)

    with op.batch_alter_table('quote_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_details', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('esignature', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('view_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decline_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('signer', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('proof_key', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_column('proof_key')
        batch_op.drop_column('signer')
        batch_op.drop_column('decline_reason')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('view_count')

    with op.batch_alter_table('quote_settings', schema=None) as batch_op:
        batch_op.drop_column('esignature')
        batch_op.drop_column('company_details')

    with op.batch_alter_table('quote_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_events_quote_id'))

    op.drop_table('quote_events')
    op.drop_table('organisation_replica')
