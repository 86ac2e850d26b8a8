"""clients keep where they stand for their documents, from the documents service's events

Revision ID: 0006_client_document_states
Revises: 0005_client_logins
Create Date: 2026-12-07 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_client_document_states"
down_revision: str | None = "0005_client_logins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("documents_complete", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("documents_as_of", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_clients_documents_complete"), ["documents_complete"], unique=False
        )
    op.create_table(
        "client_document_states",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("document_type_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_document_states_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "client_id", "document_type_id", name=op.f("pk_client_document_states")
        ),
    )
    op.create_index(
        "ix_client_document_states_type_state",
        "client_document_states",
        ["document_type_id", "state"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_client_document_states_type_state", table_name="client_document_states")
    op.drop_table("client_document_states")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clients_documents_complete"))
        batch_op.drop_column("documents_as_of")
        batch_op.drop_column("documents_complete")
