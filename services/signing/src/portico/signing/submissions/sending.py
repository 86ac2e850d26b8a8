"""Sending a template: one submitter per role, resolved from the client's contacts or named,
the prefills resolved from the client, and each link sent when its submitter's turn comes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from portico.contracts.events.common import Person
from portico.contracts.events.signing import SubmissionSent
from portico.kit.auth.capabilities import new_capability
from portico.kit.db import utcnow
from portico.kit.problems import FieldError, ValidationProblem
from portico.kit.settings import PorticoSettings
from portico.kit.transaction import Transaction
from portico.pdf import GENESIS
from portico.signing.fields.checks import sendable_problem
from portico.signing.fields.prefill import resolve
from portico.signing.fields.spec import FieldSpec, FieldType
from portico.signing.models import ClientReplica, SigningLink, Submission, Submitter, Template
from portico.signing.replicas import prefill_sources
from portico.signing.settings import SigningSettings
from portico.signing.submissions import audit
from portico.signing.submissions.links import signing_link
from portico.signing.submissions.schemas import RecipientIn, SubmissionIn
from portico.signing.submissions.states import Kind, Status, Step, SubmitterStatus, due_now
from portico.signing.templates.service import get_template, role_names, specs_of


def _problem(errors: list[FieldError]) -> ValidationProblem:
    return ValidationProblem("; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)


def _error(field: str, message: str, code: str, **params: str | int) -> FieldError:
    return FieldError(
        field=field, location="body", message=message, code=code, params=params or None
    )


def steps_of(submission: Submission) -> list[Step]:
    return [
        Step(position=s.position, kind=Kind(s.kind), status=SubmitterStatus(s.status))
        for s in submission.submitters
    ]


async def send(
    tx: Transaction,
    body: SubmissionIn,
    *,
    sent_by: uuid.UUID | None,
    settings: SigningSettings,
    links: PorticoSettings,
) -> Submission:
    """A new submission of ``body.template_id``; the first links go out with it."""
    template = await get_template(tx, body.template_id)
    specs = specs_of(template)
    errors = _check_template(template, specs)
    now = utcnow()
    if body.expires_at is not None and body.expires_at <= now:
        errors.append(_error("expires_at", "The expiry is in the past.", "in_the_past"))
    replica = await tx.get(ClientReplica, body.client_id) if body.client_id else None
    if body.client_id is not None and (replica is None or replica.deleted):
        errors.append(_error("client_id", "No such client.", "unknown_client"))
    people = _people(body.recipients, replica, errors)
    errors.extend(_check_roles(body.recipients, role_names(template), specs))
    identity_check = body.identity_check or template.identity_check
    errors.extend(_check_identity(identity_check, people))
    if errors:
        raise _problem(errors)
    submission = Submission(
        template_id=template.id,
        document_name=template.name,
        document_key=template.document_key,
        page_sizes=template.page_sizes,
        fields=[spec.model_dump(mode="json") for spec in specs],
        prefills=_prefills(specs, body.recipients, replica),
        client_id=body.client_id,
        sent_by=sent_by,
        message=body.message,
        ordered=template.ordered,
        identity_check=identity_check,
        allow_forwarding=template.allow_forwarding,
        expires_at=body.expires_at,
        status=Status.SENT,
        trail_head=GENESIS,
        submitters=[],
    )
    order = {name: index for index, name in enumerate(role_names(template))}
    for recipient, person in zip(body.recipients, people, strict=True):
        submission.submitters.append(
            Submitter(
                position=order.get(recipient.role, len(order)),
                role=recipient.role,
                kind=recipient.kind,
                contact_id=recipient.contact_id,
                staff_user_id=recipient.staff_user_id,
                channel=recipient.channel,
                status=SubmitterStatus.WAITING,
                values={},
                **person,
            )
        )
    for copy in body.copies:
        submission.submitters.append(
            Submitter(
                position=len(order) + 1,
                role="Copy",
                kind=Kind.CC,
                name=copy.name,
                email=str(copy.email),
                locale=copy.locale,
                channel="email",
                status=SubmitterStatus.WAITING,
                values={},
            )
        )
    tx.add(submission)
    await tx.flush()
    await audit.record(
        tx,
        submission,
        "created",
        actor=f"staff {sent_by}" if sent_by else "automation",
        details={"document": submission.document_name},
    )
    await dispatch(tx, submission, settings=settings, links=links)
    return submission


def _check_identity(check: str, people: Sequence[dict[str, Any]]) -> list[FieldError]:
    """A one-time code goes to an address the sender knows: each recipient needs one."""
    if check == "email_code":
        return [
            _error(
                f"recipients.{index}.email",
                "An identity check by email needs this recipient's email address.",
                "identity_needs_email",
            )
            for index, person in enumerate(people)
            if person and not person.get("email")
        ]
    if check == "sms_code":
        return [
            _error(
                f"recipients.{index}.phone",
                "An identity check by SMS needs this recipient's mobile phone number.",
                "identity_needs_phone",
            )
            for index, person in enumerate(people)
            if person and not person.get("phone")
        ]
    return []


def _check_template(template: Template, specs: Sequence[FieldSpec]) -> list[FieldError]:
    if template.archived_at is not None:
        return [
            _error("template_id", "The template is archived: restore it to send it.", "archived")
        ]
    problem = sendable_problem(specs)
    return [_error("template_id", problem, "not_sendable")] if problem else []


def _people(
    recipients: Sequence[RecipientIn], replica: ClientReplica | None, errors: list[FieldError]
) -> list[dict[str, Any]]:
    """Each recipient's name, email, phone and language."""
    contacts = (
        {str(c.get("id")): c for c in (replica.details.get("contacts") or [])} if replica else {}
    )
    people = []
    for index, recipient in enumerate(recipients):
        where = f"recipients.{index}"
        person: dict[str, Any] = {
            "name": recipient.name or "",
            "email": str(recipient.email) if recipient.email else None,
            "phone": recipient.phone,
            "locale": recipient.locale or "en",
        }
        if recipient.contact_id is not None:
            contact = contacts.get(str(recipient.contact_id))
            if contact is None:
                errors.append(
                    _error(
                        f"{where}.contact_id", "No such contact of this client.", "unknown_contact"
                    )
                )
            else:
                full = " ".join(
                    part for part in (contact.get("first_name"), contact.get("last_name")) if part
                )
                person = {
                    "name": recipient.name
                    or contact.get("name")
                    or full
                    or str(contact.get("email")),
                    "email": str(recipient.email or contact.get("email") or "") or None,
                    "phone": recipient.phone or contact.get("phone"),
                    "locale": recipient.locale or contact.get("locale") or "en",
                }
        elif recipient.staff_user_id is not None and not (recipient.name and recipient.email):
            errors.append(
                _error(
                    f"{where}.email",
                    "A staff member signing for the company needs their name and email.",
                    "missing",
                )
            )
        if not person["name"]:
            errors.append(_error(f"{where}.name", "Name the person.", "missing"))
        if recipient.channel == "email" and not person["email"]:
            errors.append(
                _error(f"{where}.email", "Sending by email needs an email address.", "missing")
            )
        if recipient.channel == "sms" and not person["phone"]:
            errors.append(
                _error(f"{where}.phone", "Sending by SMS needs a phone number.", "missing")
            )
        people.append(person)
    return people


def _check_roles(
    recipients: Sequence[RecipientIn], roles: Sequence[str], specs: Sequence[FieldSpec]
) -> list[FieldError]:
    errors = []
    seen: set[str] = set()
    signing = {
        spec.role for spec in specs if spec.type in (FieldType.SIGNATURE, FieldType.INITIALS)
    }
    for index, recipient in enumerate(recipients):
        where = f"recipients.{index}"
        if recipient.kind == Kind.CC:
            errors.append(_error(f"{where}.kind", "Copies go in copies.", "cc_in_copies"))
            continue
        if recipient.kind == Kind.VIEWER:
            if recipient.role in roles:
                errors.append(
                    _error(
                        f"{where}.kind",
                        f"“{recipient.role}” has fields to fill: give it a signer or an approver.",
                        "role_needs_signer",
                        role=recipient.role,
                    )
                )
            continue
        if recipient.role not in roles:
            errors.append(
                _error(
                    f"{where}.role",
                    f"The template has no role “{recipient.role}”.",
                    "unknown_role",
                    role=recipient.role,
                )
            )
        elif recipient.role in seen:
            errors.append(
                _error(
                    f"{where}.role",
                    f"“{recipient.role}” is given twice.",
                    "duplicate_role",
                    role=recipient.role,
                )
            )
        elif recipient.kind == Kind.APPROVER and recipient.role in signing:
            errors.append(
                _error(
                    f"{where}.kind",
                    f"“{recipient.role}” has signature fields: an approver does not sign.",
                    "approver_cannot_sign",
                    role=recipient.role,
                )
            )
        seen.add(recipient.role)
    for role in roles:
        if role not in seen and any(spec.role == role for spec in specs):
            errors.append(
                _error("recipients", f"No one is given for “{role}”.", "role_missing", role=role)
            )
    return errors


def _prefills(
    specs: Sequence[FieldSpec], recipients: Sequence[RecipientIn], replica: ClientReplica | None
) -> dict[str, str]:
    contact_of_role = {r.role: r.contact_id for r in recipients if r.contact_id is not None}
    values = {}
    for spec in specs:
        if spec.prefill:
            client, contact = prefill_sources(replica, contact_of_role.get(spec.role))
            value = resolve(spec.prefill, client, contact)
            if value.strip():
                values[spec.name] = value
    return values


def issue_link(tx: Transaction, submitter: Submitter, purpose: str, expires_at: datetime) -> str:
    """A new link token for ``submitter``; only its hash is kept."""
    token, token_hash = new_capability()
    tx.add(
        SigningLink(
            submitter_id=submitter.id, purpose=purpose, token_hash=token_hash, expires_at=expires_at
        )
    )
    return token


def link_expiry(submission: Submission, settings: SigningSettings) -> datetime:
    return submission.expires_at or utcnow() + timedelta(days=settings.link_days)


def person_of(submitter: Submitter) -> Person:
    return Person(
        id=submitter.contact_id or submitter.staff_user_id or submitter.id,
        name=submitter.name,
        email=submitter.email,
        phone=submitter.phone,
        locale="fr" if submitter.locale == "fr" else "en",
    )


def signing_request(
    tx: Transaction,
    submission: Submission,
    submitter: Submitter,
    *,
    settings: SigningSettings,
    links: PorticoSettings,
) -> dict[str, Any]:
    """What every message carrying a signing link says (sent, reminded, last call), with a
    link of its own: each message's link is new, and the earlier ones keep working."""
    token = issue_link(tx, submitter, "sign", link_expiry(submission, settings))
    return {
        "submission_id": submission.id,
        "template_id": submission.template_id,
        "document_name": submission.document_name,
        "client_id": submission.client_id,
        "submitter": person_of(submitter),
        "channel": "sms" if submitter.channel == "sms" else "email",
        "signing_url": signing_link(links, token),
        "expires_at": submission.expires_at,
    }


async def dispatch(
    tx: Transaction, submission: Submission, *, settings: SigningSettings, links: PorticoSettings
) -> None:
    """Send the link of every submitter whose turn has come."""
    steps = steps_of(submission)
    for index in due_now(steps, ordered=submission.ordered):
        submitter = submission.submitters[index]
        submitter.status = SubmitterStatus.SENT
        submitter.sent_at = utcnow()
        request = signing_request(tx, submission, submitter, settings=settings, links=links)
        tx.emit(SubmissionSent(**request, sent_by=submission.sent_by, message=submission.message))
        await audit.record(
            tx, submission, "sent", submitter=submitter, details={"channel": submitter.channel}
        )
