"""Templates marked "assign to every new client", sent when a contact joins the portal.

Only a template whose fields are all for one role is sent this way: that role goes to the
contact who joined; a template that also needs a countersignature waits for staff to
send it. A contact gets each such template once, however often the event arrives.
"""

from __future__ import annotations

import structlog
from sqlalchemy import select

from portico.contracts.events.portal import ClientJoined
from portico.kit.inbox import EventContext
from portico.kit.problems import ValidationProblem
from portico.kit.settings import PorticoSettings
from portico.signing.models import Submission, Submitter, Template
from portico.signing.settings import signing_settings
from portico.signing.submissions.schemas import RecipientIn, SubmissionIn
from portico.signing.submissions.sending import send
from portico.signing.templates.service import specs_of

log = structlog.get_logger()


async def send_on_join(event: ClientJoined, context: EventContext) -> None:
    tx = context.tx
    templates = (
        (
            await tx.execute(
                select(Template).where(
                    Template.auto_assign.is_(True), Template.archived_at.is_(None)
                )
            )
        )
        .scalars()
        .all()
    )
    for template in templates:
        roles = {spec.role for spec in specs_of(template)}
        if len(roles) != 1:
            continue
        already = await tx.scalar(
            select(Submission.id)
            .join(Submitter, Submitter.submission_id == Submission.id)
            .where(Submission.template_id == template.id, Submitter.contact_id == event.contact_id)
            .limit(1)
        )
        if already is not None:
            continue
        body = SubmissionIn(
            template_id=template.id,
            client_id=event.client_id,
            recipients=[RecipientIn(role=roles.pop(), contact_id=event.contact_id)],
        )
        try:
            # Refused before anything is written or emitted.
            await send(tx, body, sent_by=None, settings=signing_settings(), links=PorticoSettings())
        except ValidationProblem as problem:
            # Not sendable to this contact (no email, a template changed since): staff can
            # still send it by hand; a retry would fail the same way.
            log.warning(
                "automatic send skipped",
                template_id=str(template.id),
                contact_id=str(event.contact_id),
                reason=problem.detail,
            )
