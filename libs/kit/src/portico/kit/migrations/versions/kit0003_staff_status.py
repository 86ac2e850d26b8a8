"""the staff status every service follows

Revision ID: kit0003
Revises: kit0002
Create Date: 2026-12-06 03:20:00

Whether each staff member is active, kept from StaffUserChanged by the kit in every
service's database, so that each refuses a deactivated member's token
(``portico.kit.auth.staff``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "kit0003"
down_revision: str | None = "kit0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_status",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_staff_status")),
    )


def downgrade() -> None:
    op.drop_table("staff_status")
