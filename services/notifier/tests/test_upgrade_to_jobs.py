"""A notifier database upgraded to jobs: every delivery waiting to be sent gets the job
that sends it, due when the delivery was; a sent one gets none."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from portico.kit.db import UTCDateTime
from portico.kit.migrations import upgrade_async
from portico.kit.tables import jobs_table
from portico.notifier.app import service

deliveries = sa.table(
    "deliveries",
    sa.column("id", sa.Uuid()),
    sa.column("idempotency_key", sa.String()),
    sa.column("event_id", sa.Uuid()),
    sa.column("event_type", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("channel", sa.String()),
    sa.column("recipient", sa.String()),
    sa.column("status", sa.String()),
    sa.column("attempts", sa.Integer()),
    sa.column("next_attempt_at", UTCDateTime()),
    sa.column("created_at", UTCDateTime()),
)


async def test_deliveries_pending_at_the_upgrade_get_their_jobs(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}"
    # The notifier before jobs, the kit's branch already there (as main deployed it).
    await upgrade_async(url, service.migrations, "0004")
    await upgrade_async(url, service.migrations, "kit0002")
    later = datetime.now(UTC) + timedelta(minutes=10)
    waiting, sent = uuid.uuid4(), uuid.uuid4()
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                deliveries.insert(),
                [
                    {
                        "id": delivery,
                        "idempotency_key": str(delivery),
                        "event_id": uuid.uuid4(),
                        "event_type": "portico.portal.client_invited.v1",
                        "kind": "client_invited",
                        "channel": "email",
                        "recipient": "camille@lumiere.example",
                        "status": status,
                        "attempts": 1,
                        "next_attempt_at": later if status == "pending" else None,
                        "created_at": datetime.now(UTC),
                    }
                    for delivery, status in ((waiting, "pending"), (sent, "sent"))
                ],
            )

        await upgrade_async(url, service.migrations)

        async with engine.connect() as connection:
            jobs = (await connection.execute(sa.select(jobs_table))).all()
    finally:
        await engine.dispose()
    [job] = jobs
    assert (job.kind, job.payload, job.status) == (
        "notifier.send",
        {"deliveries": [str(waiting)]},
        "pending",
    )
    assert abs((job.run_at - later).total_seconds()) < 1
