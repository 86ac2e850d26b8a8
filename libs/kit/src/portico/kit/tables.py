"""The kit's own tables, present in every service's database.

The kit's branch of migrations (``portico/kit/migrations/versions``) creates and changes
them; a service's own migrations never copy them.
"""

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    event,
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
    Column("published_at", UTCDateTime, nullable=True),
    Index(
        "ix_outbox_pending",
        "seq",
        postgresql_where=text("published_at IS NULL"),
        sqlite_where=text("published_at IS NULL"),
    ),
)

# Relays LISTEN on this channel. The trigger notifies once per INSERT statement, and
# PostgreSQL folds a transaction's identical notifications into one, delivered at commit:
# the writer spends no round trip of its own on waking the relays.
OUTBOX_CHANNEL = "portico_outbox"
OUTBOX_NOTIFY_DDL = (
    "CREATE OR REPLACE FUNCTION portico_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN PERFORM pg_notify('{OUTBOX_CHANNEL}', ''); RETURN NULL; END $$",
    "CREATE TRIGGER portico_outbox_notify AFTER INSERT ON outbox "
    "FOR EACH STATEMENT EXECUTE FUNCTION portico_outbox_notify()",
)
OUTBOX_NOTIFY_DROP = (
    "DROP TRIGGER IF EXISTS portico_outbox_notify ON outbox",
    "DROP FUNCTION IF EXISTS portico_outbox_notify()",
)
for _statement in OUTBOX_NOTIFY_DDL:
    event.listen(outbox_table, "after_create", DDL(_statement).execute_if(dialect="postgresql"))

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

JOB_KIND_MAX = 200
JOB_KEY_MAX = 300
# Durable jobs (``portico.kit.jobs``). ``key`` is unique and may be NULL: a keyed enqueue
# adds nothing when a job with that key exists. Finished jobs leave the partial index, so
# claiming and counting read only the open ones however many are done.
jobs_table = Table(
    "jobs",
    messaging_metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(JOB_KIND_MAX), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("key", String(JOB_KEY_MAX), nullable=True, unique=True),
    Column("run_at", UTCDateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("tries", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("claimed_by", String(200), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Index(
        "ix_jobs_open",
        "status",
        "run_at",
        postgresql_where=text("status <> 'done'"),
        sqlite_where=text("status <> 'done'"),
    ),
)

# Whether each staff member is active, as StaffUserChanged says (``portico.kit.auth.staff``):
# every service but the portal refuses a deactivated member's token from it.
staff_status_table = Table(
    "staff_status",
    messaging_metadata,
    Column("user_id", String(36), primary_key=True),
    Column("active", Boolean, nullable=False),
    # When the portal made the change: a late copy of an older one must not undo a newer.
    Column("changed_at", UTCDateTime, nullable=False),
)
