"""client documents remember the expiry date whose passing they announced

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expiry_announced_for", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("client_documents", schema=None) as batch_op:
        batch_op.drop_column("expiry_announced_for")
