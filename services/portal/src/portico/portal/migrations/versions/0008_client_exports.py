"""a client's data exports (GDPR access requests) and the parts the services give

Revision ID: 0008_client_exports
Revises: 0007_task_descriptions
Create Date: 2026-12-09 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_client_exports"
down_revision: str | None = "0007_task_descriptions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client_exports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("expected", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failure", sa.String(length=500), nullable=True),
        sa.Column("archive_key", sa.String(length=300), nullable=True),
        sa.Column("archive_size", sa.BigInteger(), nullable=True),
        sa.Column("archive_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_exports_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_exports")),
    )
    with op.batch_alter_table("client_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_exports_client_id"), ["client_id"])
        batch_op.create_index(batch_op.f("ix_client_exports_status"), ["status"])
        batch_op.create_index(batch_op.f("ix_client_exports_created_at"), ["created_at"])
    op.create_table(
        "client_export_parts",
        sa.Column("export_id", sa.Uuid(), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("blob_key", sa.String(length=500), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["client_exports.id"],
            name=op.f("fk_client_export_parts_export_id_client_exports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("export_id", "service", name=op.f("pk_client_export_parts")),
    )


def downgrade() -> None:
    op.drop_table("client_export_parts")
    with op.batch_alter_table("client_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_exports_created_at"))
        batch_op.drop_index(batch_op.f("ix_client_exports_status"))
        batch_op.drop_index(batch_op.f("ix_client_exports_client_id"))
    op.drop_table("client_exports")
