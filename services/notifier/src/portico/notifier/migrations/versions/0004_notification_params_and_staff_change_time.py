"""in-app notifications keep their kind's parameters (rendered in the reader's language when
read); the staff replica keeps the time of the change it holds (older events are ignored)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Notifications recorded before have none: they keep the title and text they were given.
    op.add_column("notifications", sa.Column("params", sa.JSON(), nullable=True))
    op.add_column(
        "staff_members", sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("staff_members") as batch_op:
        batch_op.drop_column("changed_at")
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_column("params")
