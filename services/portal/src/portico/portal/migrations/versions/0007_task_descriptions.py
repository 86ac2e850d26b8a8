"""workspace tasks have a description (a task asked for from a quote carries its link)

Revision ID: 0007_task_descriptions
Revises: 0006_client_document_states
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_task_descriptions"
down_revision: str | None = "0006_client_document_states"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace_tasks", schema=None) as batch_op:
        batch_op.drop_column("description")
