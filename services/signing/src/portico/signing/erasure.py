"""A deleted client's submissions, removed with their files (docs/erasure.md).

On every ClientDeleted, not only an erasure: a submission is about the client's people
(their names, addresses, values, signatures, IP addresses), and unlike a quote it is no
numbered commercial record. One still in progress stops there (its links go with it); a
completed one goes with its sealed PDF and certificate: each signer was sent a link to
their copy when it was completed, and the copy they downloaded is theirs; the link finds
nothing once the client is deleted.

What a submission is about: the client it was sent for, and, sent for no client, one whose
submitters include a contact of the client (as the replica last listed them). Its rows go
in the handler's transaction (submitters, links and audit trail by ON DELETE CASCADE); its
own files (values uploaded, signatures, the completed PDF and certificate, all under
``submissions/<id>/``) once that commits; the document it was sent with
(``documents/<sha256>/``) once no template nor other submission uses it, after the usual
grace (``templates.documents``).
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, or_, select

from portico.contracts.events.portal import ClientDeleted
from portico.kit.store.removal import delete_files_after_commit
from portico.kit.transaction import Transaction
from portico.signing.models import ClientReplica, Submission, Submitter
from portico.signing.templates.documents import enqueue_deletion


def submission_prefix(submission_id: uuid.UUID) -> str:
    return f"submissions/{submission_id}/"


async def purge_submissions(tx: Transaction, event: ClientDeleted) -> None:
    """Call before the replica becomes a tombstone: its contacts are read here."""
    held = await tx.get(ClientReplica, event.client_id)
    contacts = (held.details.get("contacts") or []) if held is not None else []
    contact_ids = [uuid.UUID(str(contact["id"])) for contact in contacts if contact.get("id")]
    about = Submission.client_id == event.client_id
    if contact_ids:
        to_contacts = select(Submitter.submission_id).where(Submitter.contact_id.in_(contact_ids))
        about = or_(about, Submission.client_id.is_(None) & Submission.id.in_(to_contacts))
    found = (await tx.execute(select(Submission.id, Submission.document_key).where(about))).all()
    if not found:
        return
    ids = [submission_id for submission_id, _ in found]
    await tx.execute(delete(Submission).where(Submission.id.in_(ids)))
    await delete_files_after_commit(tx, prefixes=[submission_prefix(i) for i in ids])
    for document_key in sorted({key for _, key in found}):
        await enqueue_deletion(tx, document_key)
