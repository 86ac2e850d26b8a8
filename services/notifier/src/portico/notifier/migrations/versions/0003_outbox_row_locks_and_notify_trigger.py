"""the outbox relay holds row locks instead of a lease; PostgreSQL notifies relays by trigger

Now done by the kit's own branch of migrations (``kit0001``), which owns the outbox: this
revision stays so that databases stamped with it keep their history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
