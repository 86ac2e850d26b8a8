"""the kit's outbox and inbox, on a branch of their own in every service's database

Revision ID: kit0001
Revises:
Create Date: 2026-12-04 19:30:00

Until this branch each service's first migration created these tables and its third
changed the outbox (row locks instead of a lease, the NOTIFY trigger). A database made
then already has them: this migration brings whatever it finds to the shape below, so it
adopts such a database's tables, rows included, and creates them in a new one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "kit0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("kit",)
depends_on: str | Sequence[str] | None = None

NOTIFY_FUNCTION = (
    "CREATE OR REPLACE FUNCTION portico_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN PERFORM pg_notify('portico_outbox', ''); RETURN NULL; END $$"
)
NOTIFY_TRIGGER = (
    "CREATE TRIGGER portico_outbox_notify AFTER INSERT ON outbox "
    "FOR EACH STATEMENT EXECUTE FUNCTION portico_outbox_notify()"
)


def upgrade() -> None:
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    if "inbox" not in existing:
        op.create_table(
            "inbox",
            sa.Column("event_key", sa.String(length=300), nullable=False),
            sa.Column("handler", sa.String(length=200), nullable=False),
            sa.Column("event_type", sa.String(length=200), nullable=False),
            sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("event_key", "handler", name=op.f("pk_inbox")),
        )
    if "outbox" not in existing:
        op.create_table(
            "outbox",
            sa.Column(
                "seq",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                autoincrement=True,
                nullable=False,
            ),
            sa.Column("event_id", sa.String(length=36), nullable=False),
            sa.Column("event_type", sa.String(length=200), nullable=False),
            sa.Column("body", sa.LargeBinary(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox")),
            sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
        )
        with op.batch_alter_table("outbox") as batch:
            batch.create_index(
                "ix_outbox_pending",
                ["seq"],
                unique=False,
                postgresql_where=sa.text("published_at IS NULL"),
                sqlite_where=sa.text("published_at IS NULL"),
            )
    else:
        columns = {column["name"] for column in sa.inspect(bind).get_columns("outbox")}
        # The lease of the first relays: a database that never ran its service's third
        # migration still has it.
        if "claimed_until" in columns:
            with op.batch_alter_table("outbox") as batch:
                batch.drop_column("claimed_until")
    if bind.dialect.name == "postgresql":
        op.execute(NOTIFY_FUNCTION)
        op.execute("DROP TRIGGER IF EXISTS portico_outbox_notify ON outbox")
        op.execute(NOTIFY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS portico_outbox_notify ON outbox")
        op.execute("DROP FUNCTION IF EXISTS portico_outbox_notify()")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(
            "ix_outbox_pending",
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        )
    op.drop_table("outbox")
    op.drop_table("inbox")
