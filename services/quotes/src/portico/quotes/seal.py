"""The seal signed quotes carry: the quotes service's own key and self-signed certificate
(EC P-256, made at the first seal and kept in its database, the newest row in use), applied
by ``portico.pdf.complete_document`` as an invisible PAdES signature over the whole signed
quote and its certificate, so that any PDF reader shows them untouched since.

A process keeps the loaded key: parsing the PKCS#12 at every seal would cost each
acceptance for nothing.

``python -m portico.quotes rotate-seal`` puts a new key in use without downtime: a new
self-signed one, or the organisation's own certificate (``--pkcs12``). Every acceptance
reads which row is newest, so running processes seal under it from the next one on; quotes
signed before keep the seal they were made with, which stays valid in any PDF reader.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from sqlalchemy import select

from portico.kit.service import Command, Runtime
from portico.kit.transaction import Transaction
from portico.pdf import SealKey, SealKeyRefused, create_seal_key, load_seal_key
from portico.quotes.models import QuoteSealKey
from portico.quotes.replicas import organisation

DEFAULT_HOLDER = "Portico"
_loaded: dict[uuid.UUID, SealKey] = {}


async def current_seal(tx: Transaction, holder: str) -> SealKey:
    """The key to seal with, made in ``tx`` (for ``holder``, the organisation) when there
    is none yet."""
    row = (
        await tx.execute(select(QuoteSealKey).order_by(QuoteSealKey.created_at.desc()).limit(1))
    ).scalar_one_or_none()
    if row is None:
        pkcs12 = await asyncio.to_thread(create_seal_key, holder.strip() or DEFAULT_HOLDER)
        made = await asyncio.to_thread(load_seal_key, pkcs12, None)
        row = QuoteSealKey(pkcs12=pkcs12, subject=made.subject, fingerprint=made.fingerprint)
        tx.add(row)
        await tx.flush()
        _loaded[row.id] = made
    held = _loaded.get(row.id)
    if held is None:
        held = _loaded[row.id] = await asyncio.to_thread(load_seal_key, row.pkcs12, None)
    return held


def seal_reason(number: str) -> str:
    """What the seal says it was applied for, shown by PDF readers."""
    return f"Quote {number} accepted"


def unencrypted(data: bytes, password: bytes | None) -> bytes:
    """An organisation's PKCS#12 as the table keeps them (without a password: the database
    is what protects it, as for the keys the service makes). Raises ``SealKeyRefused``."""
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, password)
    except ValueError:
        raise SealKeyRefused(
            "not_pkcs12", "the file is not a PKCS#12 this password opens"
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise SealKeyRefused("no_private_key", "the file holds no EC or RSA private key")
    if certificate is None:
        raise SealKeyRefused("no_certificate", "the file holds no certificate")
    return pkcs12.serialize_key_and_certificates(
        b"Portico document seal", key, certificate, chain, serialization.NoEncryption()
    )


async def rotate_seal(runtime: Runtime, given: bytes | None = None) -> QuoteSealKey:
    """A new seal in use from the next acceptance: ``given`` (an unencrypted PKCS#12), or a
    new self-signed key for the organisation. Raises ``SealKeyRefused``."""
    async with runtime.database.transaction() as tx:
        if given is None:
            held = await organisation(tx)
            name = held.name if held is not None and held.name.strip() else DEFAULT_HOLDER
            given = await asyncio.to_thread(create_seal_key, name)
        key = await asyncio.to_thread(load_seal_key, given, None)
        row = QuoteSealKey(pkcs12=given, subject=key.subject, fingerprint=key.fingerprint)
        tx.add(row)
    return row


async def _rotate_seal_command(runtime: Runtime, arguments: argparse.Namespace) -> None:
    given = None
    try:
        if arguments.pkcs12 is not None:
            password = os.environ.get(arguments.password_env, "").encode() or None
            data = await asyncio.to_thread(Path(arguments.pkcs12).read_bytes)
            given = unencrypted(data, password)
        row = await rotate_seal(runtime, given)
    except (OSError, SealKeyRefused) as error:
        raise SystemExit(f"cannot rotate the seal: {error}") from None
    print(f"quotes are now sealed under {row.subject} (SHA-256 {row.fingerprint})")


def _rotate_seal_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pkcs12", help="the organisation's certificate and key (.p12/.pfx)")
    parser.add_argument(
        "--password-env",
        default="PORTICO_QUOTES_SEAL_PASSWORD",
        help="the environment variable holding the file's password",
    )


ROTATE_SEAL = Command(
    name="rotate-seal",
    help="seal signed quotes under a new key from now on (self-signed, or --pkcs12)",
    run=_rotate_seal_command,
    arguments=_rotate_seal_arguments,
)
