"""A link's token reaches the person it is for, and no table keeps it once it is sent."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from portico.contracts import MASK, Envelope
from portico.contracts.events.portal import ClientInvited
from portico.kit.db import Database
from portico.kit.tables import inbox_table, outbox_table
from portico.kit.testing.services import RunningPortico
from portico.notifier.channels.mailbox import LocalMailbox
from portico.notifier.channels.senders import mailbox_folder
from portico.notifier.models import Base as NotifierBase
from portico.notifier.models import Delivery

CLIENT = {
    "name": "Atelier Lumière",
    "contacts": [{"first_name": "Camille", "last_name": "Durand", "email": "c@lumiere.example"}],
}


async def every_row(database: Database) -> str:
    """Every row of every table a service keeps, as text."""
    tables = [*NotifierBase.metadata.sorted_tables, outbox_table, inbox_table]
    if database.service != "notifier":
        tables = [outbox_table, inbox_table]
    async with database.sessions() as session:
        found = [repr(row) for table in tables for row in await session.execute(select(table))]
    return "\n".join(found)


async def test_an_invitations_token_is_sent_and_then_kept_nowhere(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = (await portico.http.post("/api/portal/v1/clients", json=CLIENT, headers=admin)).json()
    contact = client["contacts"][0]
    invited = await portico.http.post(
        f"/api/portal/v1/clients/{client['id']}/contacts/{contact['id']}/invitation",
        headers=admin,
    )
    assert invited.status_code == 201, invited.text
    [envelope] = await portico.events.wait_for(ClientInvited.event_type)
    link = str(envelope.event().accept_url)  # type: ignore[attr-defined]
    token = parse_qs(urlsplit(link).query)["token"][0]

    # The notifier got the link and sent it (to the local mailbox, in both modes here).
    notifier = portico.runtime("notifier").database
    mailbox = LocalMailbox(mailbox_folder(portico.host.settings))
    for _ in range(300):
        listed = mailbox.entries()
        async with notifier.sessions() as session:
            statuses = set(await session.scalars(select(Delivery.status)))
        if listed and statuses == {"sent"}:
            break
        await asyncio.sleep(0.05)
    [entry] = listed
    assert link in entry.text

    # The portal's outbox row, read from the table: published, and masked.
    portal = portico.runtime("portal").database
    for _ in range(100):
        async with portal.sessions() as session:
            published_at, body = (
                await session.execute(
                    select(outbox_table.c.published_at, outbox_table.c.body).where(
                        outbox_table.c.event_id == str(envelope.id)
                    )
                )
            ).one()
        if published_at is not None:
            break
        await asyncio.sleep(0.05)
    assert published_at is not None
    assert token.encode() not in body
    assert Envelope.from_stored(body).data["accept_url"] == MASK

    # Nor does any table of either service keep it (the delivery's rendered message is
    # cleared once it is sent).
    assert token not in await every_row(portal)
    assert token not in await every_row(notifier)
