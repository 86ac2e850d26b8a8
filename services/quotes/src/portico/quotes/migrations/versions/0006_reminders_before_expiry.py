"""reminders scheduled before a quote's last valid day

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('quote_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_days_before', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table('quote_settings', schema=None) as batch_op:
        batch_op.drop_column('reminder_days_before')
