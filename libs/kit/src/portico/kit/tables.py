"""The kit's own tables, present in every service's database (its first migration creates them)."""

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    text,
)

from portico.kit.db import UTCDateTime, messaging_metadata

outbox_table = Table(
    "outbox",
    messaging_metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(200), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("published_at", UTCDateTime, nullable=True),
    Index(
        "ix_outbox_pending",
        "seq",
        postgresql_where=text("published_at IS NULL"),
        sqlite_where=text("published_at IS NULL"),
    ),
)

inbox_table = Table(
    "inbox",
    messaging_metadata,
    # source + id: the envelope's key.
    Column("event_key", String(300), nullable=False),
    Column("handler", String(200), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("processed_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("event_key", "handler"),
)
