"""The organisation's seal, for administrators: which key seals completed documents, and
uploading their own (a PKCS#12 from their certificate authority) in place of the one made
at first start. A seal configured by file (``PORTICO_SIGNING_SEAL_PKCS12_PATH``) is the
operator's choice and cannot be replaced here."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile, status
from pydantic import BaseModel, Field

from portico.kit.auth.principals import CurrentAdmin
from portico.kit.deps import Tx
from portico.kit.problems import Conflict, ValidationProblem, problem_responses
from portico.pdf import SealKey, SealKeyRefused
from portico.signing.settings import Settings
from portico.signing.submissions.seal_keys import current_seal, row_of

router = APIRouter(prefix="/v1/seal-key", tags=["seal"])

# The largest PKCS#12 taken: a key and a chain of a few certificates is a few kilobytes.
MAX_PKCS12_BYTES = 64 * 1024
# A refusal about the password lands beside the password, any other beside the file.
PASSWORD_PROBLEMS = {"wrong_password"}


class SealKeyOut(BaseModel):
    subject: str = Field(description="Whose seal it is, as its certificate names it")
    fingerprint: str = Field(description="SHA-256 of the certificate, hex")
    not_before: datetime
    not_after: datetime
    source: Literal["configuration", "database"] = Field(
        description="Set by the service's configuration, or kept in its database"
    )


def _out(key: SealKey, source: Literal["configuration", "database"]) -> SealKeyOut:
    return SealKeyOut(
        subject=key.subject,
        fingerprint=key.fingerprint,
        not_before=key.not_before,
        not_after=key.not_after,
        source=source,
    )


@router.get("", responses=problem_responses(401, 403), summary="The seal completed documents get")
async def seal_key(tx: Tx, settings: Settings, _: CurrentAdmin) -> SealKeyOut:
    key = await current_seal(tx.database)
    return _out(key, "configuration" if settings.seal_pkcs12_path else "database")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Seal from now on with this PKCS#12 (its certificate and private key)",
)
async def upload_seal_key(
    file: Annotated[UploadFile, File(description="A .p12 or .pfx file")],
    tx: Tx,
    settings: Settings,
    _: CurrentAdmin,
    password: Annotated[str, Form(max_length=200)] = "",
) -> SealKeyOut:
    if settings.seal_pkcs12_path:
        raise Conflict("The seal is set by the service's configuration: change it there.")
    data = await file.read(MAX_PKCS12_BYTES + 1)
    if len(data) > MAX_PKCS12_BYTES:
        raise ValidationProblem.for_field(
            "file", "A seal key file is at most 64 KiB.", code="too_large"
        )
    try:
        row, key = await asyncio.to_thread(row_of, data, password or None, uploaded=True)
    except SealKeyRefused as refused:
        field = "password" if refused.code in PASSWORD_PROBLEMS else "file"
        raise ValidationProblem.for_field(field, refused.message, code=refused.code) from None
    tx.add(row)
    return _out(key, "database")
