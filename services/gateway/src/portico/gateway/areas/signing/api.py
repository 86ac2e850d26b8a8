"""The signing service's API: smart-document templates, their pages and their fields;
submissions; and what a submitter's link opens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends
from pydantic import BaseModel, ConfigDict

from portico.contracts.events.common import Locale
from portico.gateway.apis.base import ApiProblem, ServiceClient
from portico.gateway.web.context import service_api
from portico.kit.pagination import Page


class Role(BaseModel):
    name: str


class TemplateSummary(BaseModel):
    id: uuid.UUID
    name: str
    source_kind: str
    page_count: int
    field_count: int
    sendable: bool
    # Why it cannot be sent yet (in the service's English), if so.
    not_sendable_reason: str | None = None
    auto_assign: bool
    archived: bool
    created_at: datetime
    updated_at: datetime


class TemplatePage(BaseModel):
    index: int
    # In points (1/72 inch).
    width: float
    height: float
    # Preview addresses by width in pixels, once rendered.
    previews: dict[str, str] = {}


class TemplateField(BaseModel):
    """A field as the service answers it. The editor's script reads and sends back the
    whole of it, so every property the service has is kept, typed or not."""

    model_config = ConfigDict(extra="allow")

    id: uuid.UUID | None = None
    name: str
    type: str
    role: str
    page: int
    x: float
    y: float
    w: float
    h: float
    label: str = ""
    required: bool = False


class Template(TemplateSummary):
    original_name: str | None
    roles: list[Role]
    ordered: bool
    allow_forwarding: bool = False
    # none, email_code or sms_code: what a send asks for unless it says otherwise.
    identity_check: str = "none"
    previews_ready: int
    pages: list[TemplatePage]
    fields: list[TemplateField]


class Preview(BaseModel):
    """A page's image, or why there is none yet (``ready`` false: still rendering)."""

    ready: bool
    content: bytes = b""


class Submitter(BaseModel):
    id: uuid.UUID
    role: str
    # signer, approver, viewer or cc.
    kind: str
    position: int
    name: str
    email: str | None
    phone: str | None
    locale: str
    channel: str
    contact_id: uuid.UUID | None
    # waiting, sent, opened, completed or declined.
    status: str
    sent_at: datetime | None
    opened_at: datetime | None
    completed_at: datetime | None
    declined_at: datetime | None
    decline_reason: str | None


class SubmissionSummary(BaseModel):
    id: uuid.UUID
    template_id: uuid.UUID
    document_name: str
    client_id: uuid.UUID | None
    # sent, opened, partially_signed, completed, declined, expired or cancelled.
    status: str
    created_at: datetime
    expires_at: datetime | None
    closed_at: datetime | None
    # pending, done or failed, once everyone has acted.
    completion: str | None
    completion_error: str | None
    submitters: list[Submitter]


class AuditEvent(BaseModel):
    at: datetime
    action: str
    actor: str | None
    ip: str | None
    user_agent: str | None
    time_zone: str | None
    details: dict[str, str]
    digest: str


class Submission(SubmissionSummary):
    message: str | None
    ordered: bool
    identity_check: str
    page_count: int
    completed_sha256: str | None
    trail: list[AuditEvent]


class SigningPage(BaseModel):
    width: float
    height: float
    preview_path: str


class SigningField(BaseModel):
    spec: TemplateField
    mine: bool
    value: Any = None


class SigningIdentity(BaseModel):
    """The identity check asked of a link's holder before the document opens."""

    # email_code or sms_code.
    method: str
    verified: bool
    # Where codes go, shown in part (c•••@atelier.example).
    sent_to: str | None = None
    code_sent: bool = False


class SigningDocument(BaseModel):
    """What a submitter's link opens (no pages nor fields while an identity check is
    pending)."""

    submission_id: uuid.UUID
    document_name: str
    status: str
    submitter: Submitter
    may_act: bool
    # The template lets the signer pass the request on to someone else.
    allow_forwarding: bool = False
    waiting_for: list[str]
    expires_at: datetime | None
    message: str | None
    pages: list[SigningPage]
    fields: list[SigningField]
    completed: bool
    identity: SigningIdentity | None = None


class ForwardTo(BaseModel):
    """The person a signer passes the request on to, as the service takes them."""

    name: str
    email: str | None = None
    phone: str | None = None
    # The language of their message and of the page their link opens.
    locale: Locale
    # How their link is sent.
    channel: Literal["email", "sms"]
    reason: str | None = None
    time_zone: str | None = None


class Forwarded(BaseModel):
    forwarded_to: str


class SignedCopy(BaseModel):
    """The completed document as a submitter downloads it, with the service's file name."""

    content: bytes
    disposition: str


class MyDocument(BaseModel):
    """A document addressed to the contact logged in to the client portal."""

    submission_id: uuid.UUID
    document_name: str
    status: str
    my_status: str
    sent_at: datetime | None
    expires_at: datetime | None
    to_sign: bool
    completed: bool


class VerifiedSigner(BaseModel):
    name: str
    role: str
    signed_at: datetime | None


class VerifiedSeal(BaseModel):
    sealed: bool
    intact: bool | None = None
    ours: bool
    signer: str | None = None
    signed_at: datetime | None = None
    timestamp: datetime | None = None


class Verification(BaseModel):
    """What the service found in a PDF someone uploaded to check it."""

    # genuine, modified or unknown.
    verdict: str
    sha256: str
    document_name: str | None = None
    completed_at: datetime | None = None
    signers: list[VerifiedSigner] = []
    seal: VerifiedSeal


class SealKey(BaseModel):
    """The seal completed documents carry."""

    subject: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    # configuration (set by file, not changed here) or database.
    source: str


class ReminderSettings(BaseModel):
    """After how many days signers are reminded, and the last call before expiry."""

    reminder_days: list[int]
    last_call_days: int
    # configuration (no admin has set it yet) or organisation.
    source: str


class SigningApi(ServiceClient):
    service = "signing"

    async def templates(
        self, *, q: str | None = None, archived: bool = False, limit: int = 25, offset: int = 0
    ) -> Page[TemplateSummary]:
        params = {"q": q, "archived": archived, "limit": limit, "offset": offset}
        return Page[TemplateSummary].model_validate(await self.get("/v1/templates", params=params))

    async def template(self, template_id: uuid.UUID) -> Template:
        return Template.model_validate(await self.get(f"/v1/templates/{template_id}"))

    async def upload(
        self, filename: str, content: bytes, content_type: str, *, name: str | None = None
    ) -> Template:
        files: dict[str, Any] = {"file": (filename, content, content_type)}
        if name:
            files["name"] = (None, name)
        return Template.model_validate(await self.post("/v1/templates", files=files))

    async def blank(
        self, name: str, *, pages: int, size: Literal["A4", "Letter"], titles: list[str]
    ) -> Template:
        body = {"name": name, "pages": pages, "size": size, "titles": titles}
        return Template.model_validate(await self.post("/v1/blank-templates", json=body))

    async def update(self, template_id: uuid.UUID, **changes: Any) -> Template:
        return Template.model_validate(
            await self.patch(f"/v1/templates/{template_id}", json=changes)
        )

    async def save_fields(self, template_id: uuid.UUID, fields: list[dict[str, Any]]) -> Template:
        body = {"fields": fields}
        return Template.model_validate(
            await self.put(f"/v1/templates/{template_id}/fields", json=body)
        )

    async def duplicate(self, template_id: uuid.UUID) -> Template:
        return Template.model_validate(await self.post(f"/v1/templates/{template_id}/duplicate"))

    async def archive(self, template_id: uuid.UUID) -> Template:
        return Template.model_validate(await self.post(f"/v1/templates/{template_id}/archive"))

    async def restore(self, template_id: uuid.UUID) -> Template:
        return Template.model_validate(await self.post(f"/v1/templates/{template_id}/restore"))

    async def remove(self, template_id: uuid.UUID) -> None:
        await self.delete(f"/v1/templates/{template_id}")

    async def preview(self, template_id: uuid.UUID, index: int, width: int) -> Preview:
        path = f"/v1/templates/{template_id}/pages/{index}/preview"
        try:
            response = await self.call("GET", path, params={"width": width})
        except ApiProblem as problem:
            if problem.status == 404 and problem.retry_after:
                return Preview(ready=False)
            raise
        return Preview(ready=True, content=response.content)

    async def document(self, template_id: uuid.UUID) -> bytes:
        return (await self.call("GET", f"/v1/templates/{template_id}/document")).content

    async def prefills(self, template_id: uuid.UUID) -> dict[str, str]:
        """Each prefilled field's value for sample client and contact (the preview's)."""
        answer: dict[str, str] = await self.get(f"/v1/templates/{template_id}/prefills")
        return answer

    async def send(self, body: dict[str, Any]) -> Submission:
        return Submission.model_validate(await self.post("/v1/submissions", json=body))

    async def submissions(
        self,
        *,
        template_id: uuid.UUID | None = None,
        client_id: uuid.UUID | None = None,
        status: str | None = None,
        sent_after: datetime | None = None,
        sent_before: datetime | None = None,
        limit: int = 25,
        offset: int = 0,
    ) -> Page[SubmissionSummary]:
        params = {
            "template_id": template_id,
            "client_id": client_id,
            "status": status,
            "sent_after": sent_after,
            "sent_before": sent_before,
            "limit": limit,
            "offset": offset,
        }
        return Page[SubmissionSummary].model_validate(
            await self.get("/v1/submissions", params=params)
        )

    async def submission(self, submission_id: uuid.UUID) -> Submission:
        return Submission.model_validate(await self.get(f"/v1/submissions/{submission_id}"))

    async def submission_action(self, submission_id: uuid.UUID, action: str) -> Submission:
        """``cancel``, ``remind`` or ``complete`` (retry a failed completion)."""
        return Submission.model_validate(
            await self.post(f"/v1/submissions/{submission_id}/{action}")
        )

    async def completed_file(self, submission_id: uuid.UUID, which: str) -> bytes:
        """``completed.pdf`` or ``certificate.pdf``."""
        return (await self.call("GET", f"/v1/submissions/{submission_id}/{which}")).content

    # The client portal: the documents addressed to the contact logged in.

    async def my_documents(self) -> list[MyDocument]:
        return [MyDocument.model_validate(item) for item in await self.get("/v1/my-documents")]

    async def my_signing_token(self, submission_id: uuid.UUID) -> str:
        answer = await self.post(f"/v1/my-documents/{submission_id}/link")
        return str(answer["token"])

    async def my_completed_document(self, submission_id: uuid.UUID) -> bytes:
        path = f"/v1/my-documents/{submission_id}/completed.pdf"
        return (await self.call("GET", path)).content

    async def seal_key(self) -> SealKey:
        return SealKey.model_validate(await self.get("/v1/seal-key"))

    async def upload_seal_key(self, filename: str, content: bytes, password: str) -> SealKey:
        files = {"file": (filename, content, "application/x-pkcs12"), "password": (None, password)}
        return SealKey.model_validate(await self.post("/v1/seal-key", files=files))

    async def reminder_settings(self) -> ReminderSettings:
        return ReminderSettings.model_validate(await self.get("/v1/reminder-settings"))

    async def set_reminder_settings(
        self, reminder_days: list[int], last_call_days: int
    ) -> ReminderSettings:
        body = {"reminder_days": reminder_days, "last_call_days": last_call_days}
        return ReminderSettings.model_validate(await self.put("/v1/reminder-settings", json=body))

    async def verify(self, filename: str, content: bytes) -> Verification:
        """Anyone may check a PDF: no credentials are sent."""
        files = {"file": (filename, content, "application/pdf")}
        return Verification.model_validate(
            await self.post("/v1/verify", files=files, anonymous=True)
        )

    # A submitter's link: the token is the credential, no session is needed.

    async def signing_document(
        self, token: str, *, time_zone: str | None = None
    ) -> SigningDocument:
        params = {"time_zone": time_zone} if time_zone else None
        return SigningDocument.model_validate(
            await self.get(f"/v1/signing/{token}", params=params, anonymous=True)
        )

    async def signing_preview(self, token: str, index: int, width: int | None = None) -> Preview:
        path = f"/v1/signing/{token}/pages/{index}/preview"
        try:
            response = await self.call(
                "GET", path, params={"width": width} if width else None, anonymous=True
            )
        except ApiProblem as problem:
            if problem.status == 404 and problem.retry_after:
                return Preview(ready=False)
            raise
        return Preview(ready=True, content=response.content)

    async def save_draft(self, token: str, values: dict[str, Any], time_zone: str | None) -> None:
        await self.put(
            f"/v1/signing/{token}/draft",
            json={"values": values, "time_zone": time_zone},
            anonymous=True,
        )

    async def submit_values(
        self, token: str, values: dict[str, Any], time_zone: str | None
    ) -> SigningDocument:
        body = {"values": values, "time_zone": time_zone}
        return SigningDocument.model_validate(
            await self.post(f"/v1/signing/{token}/submit", json=body, anonymous=True)
        )

    async def decline(self, token: str, reason: str, time_zone: str | None) -> SigningDocument:
        body = {"reason": reason, "time_zone": time_zone}
        return SigningDocument.model_validate(
            await self.post(f"/v1/signing/{token}/decline", json=body, anonymous=True)
        )

    async def forward(self, token: str, body: ForwardTo) -> Forwarded:
        """Pass the request on: the new person gets their own link, this one stops working."""
        return Forwarded.model_validate(
            await self.post(
                f"/v1/signing/{token}/forward",
                json=body.model_dump(exclude_none=True),
                anonymous=True,
            )
        )

    async def send_signing_code(self, token: str, time_zone: str | None) -> SigningDocument:
        """The identity check's code, sent to the submitter's email or phone."""
        return SigningDocument.model_validate(
            await self.post(
                f"/v1/signing/{token}/code", json={"time_zone": time_zone}, anonymous=True
            )
        )

    async def check_signing_code(
        self, token: str, code: str, time_zone: str | None
    ) -> SigningDocument:
        body = {"code": code, "time_zone": time_zone}
        return SigningDocument.model_validate(
            await self.post(f"/v1/signing/{token}/code/check", json=body, anonymous=True)
        )

    async def signed_copy_file(self, token: str) -> SignedCopy:
        response = await self.call("GET", f"/v1/signing/{token}/completed.pdf", anonymous=True)
        disposition = response.headers.get("content-disposition") or (
            'attachment; filename="document.pdf"'
        )
        return SignedCopy(content=response.content, disposition=disposition)


Signing = Annotated[SigningApi, Depends(service_api(SigningApi))]
