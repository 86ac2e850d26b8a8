"""client replicas: whom a deleted or erased client's messages were addressed to

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-13 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
# Above 0006, which needs the kit's jobs table: so does this one, through it.
depends_on: str | Sequence[str] | None = "kit0002"


def upgrade() -> None:
    # Empty at first: clients created before it are learnt at their next ClientUpdated.
    op.create_table(
        "client_replicas",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_replicas")),
    )


def downgrade() -> None:
    op.drop_table("client_replicas")
