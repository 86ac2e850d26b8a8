"""What an erasure removes in the portal beyond the client's own rows (docs/erasure.md).

Deleting the client takes its contacts, their portal accounts and invitations, its
workspaces and history with it (ON DELETE CASCADE), and the workspaces' files by a job.
What is left of its people is kept per person rather than per client: the login they
log in with (one per address, whichever clients they are a contact of), its sessions and
password-reset links, and the failed logins counted against their address. An erasure
removes them too, unless the person is also a contact of another client, whose access
still needs the login: then only the sessions opened at the erased client go.
"""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select

from portico.kit.transaction import Transaction
from portico.portal.identity.accounts import normalise_email
from portico.portal.models import (
    AuthSession,
    Client,
    ClientAccount,
    ClientLogin,
    Contact,
    LoginFailure,
    PasswordReset,
)


async def erase_people(tx: Transaction, client: Client) -> None:
    """Call before the client is deleted: its contacts' accounts are read to find them."""
    contact_ids = [contact.id for contact in client.contacts]
    if not contact_ids:
        return
    accounts = (
        await tx.execute(
            select(ClientAccount.id, ClientAccount.login_id).where(
                ClientAccount.contact_id.in_(contact_ids)
            )
        )
    ).all()
    account_ids = [account_id for account_id, _ in accounts]
    login_ids = {login_id for _, login_id in accounts}
    # A login that reaches another client (an accountant of several) stays for that one.
    shared = set(
        await tx.scalars(
            select(ClientAccount.login_id).where(
                ClientAccount.login_id.in_(login_ids),
                ClientAccount.contact_id.not_in(contact_ids),
            )
        )
    )
    gone = sorted(login_ids - shared)
    if account_ids or gone:
        await tx.execute(
            delete(AuthSession).where(
                AuthSession.account_kind == "client",
                or_(
                    AuthSession.client_account_id.in_(account_ids),
                    AuthSession.account_id.in_(gone),
                ),
            )
        )
    if gone:
        await tx.execute(
            delete(PasswordReset).where(
                PasswordReset.account_kind == "client", PasswordReset.account_id.in_(gone)
            )
        )
        await tx.execute(delete(ClientLogin).where(ClientLogin.id.in_(gone)))
    # Failed logins are counted by address: those of an address nobody else holds go.
    addresses = {normalise_email(contact.email) for contact in client.contacts}
    still_used = set(
        await tx.scalars(
            select(func.lower(Contact.email)).where(
                func.lower(Contact.email).in_(addresses), Contact.client_id != client.id
            )
        )
    )
    if addresses - still_used:
        await tx.execute(
            delete(LoginFailure).where(
                func.lower(LoginFailure.email).in_(sorted(addresses - still_used))
            )
        )
