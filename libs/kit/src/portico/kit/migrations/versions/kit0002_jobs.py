"""the kit's durable jobs

Revision ID: kit0002
Revises: kit0001
Create Date: 2026-12-04 20:00:00

One table per service database for ``portico.kit.jobs``: work to do now or at a given
time, outside the request, retried and never lost. The partial index holds only the open
jobs (pending, running, parked), which are all the runner ever reads.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "kit0002"
down_revision: str | None = "kit0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=True),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_jobs_key")),
    )
    with op.batch_alter_table("jobs") as batch:
        batch.create_index(
            "ix_jobs_open",
            ["status", "run_at"],
            unique=False,
            postgresql_where=sa.text("status <> 'done'"),
            sqlite_where=sa.text("status <> 'done'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index(
            "ix_jobs_open",
            postgresql_where=sa.text("status <> 'done'"),
            sqlite_where=sa.text("status <> 'done'"),
        )
    op.drop_table("jobs")
