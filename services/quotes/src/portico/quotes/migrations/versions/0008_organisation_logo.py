"""the organisation's logo in its replica: the portal's key and the copy the PDFs print

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('organisation_replica', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo_key', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('logo_copied_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('organisation_replica', schema=None) as batch_op:
        batch_op.drop_column('logo_copied_at')
        batch_op.drop_column('logo')
        batch_op.drop_column('logo_key')
