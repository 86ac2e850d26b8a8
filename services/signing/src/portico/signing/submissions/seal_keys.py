"""The organisation's seal: the key and certificate completed documents are sealed under.

One comes from ``PORTICO_SIGNING_SEAL_PKCS12_PATH`` when set (checked at start-up: an
unusable file stops the service with the reason), else from the database: made at first
start (a self-signed EC P-256 certificate) or uploaded by an admin, the newest in use.
Loading a PKCS#12 is slow, so a process keeps the loaded key until a newer one appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from portico.kit.db import Database
from portico.kit.service import Runtime
from portico.pdf import SealKey, SealKeyRefused, create_seal_key, load_seal_key
from portico.signing.models import SealKey as SealKeyRow
from portico.signing.settings import SigningSettings, signing_settings

DEFAULT_HOLDER = "Portico"


class SealUnusable(RuntimeError):
    """The configured seal cannot sign: the service does not start."""


@dataclass
class _Loaded:
    source: str
    key: SealKey


_loaded: dict[str, _Loaded] = {}


def _from_file(settings: SigningSettings) -> SealKey:
    path = Path(settings.seal_pkcs12_path or "")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SealUnusable(f"The seal file {path} cannot be read: {error.strerror}.") from None
    password = settings.seal_password.encode() if settings.seal_password else None
    try:
        return load_seal_key(data, password)
    except SealKeyRefused as refused:
        raise SealUnusable(f"The seal file {path} cannot be used: {refused}") from None


async def _newest(database: Database) -> SealKeyRow | None:
    async with database.sessions() as session:
        return (
            await session.execute(
                select(SealKeyRow).order_by(SealKeyRow.created_at.desc()).limit(1)
            )
        ).scalar_one_or_none()


def row_of(pkcs12: bytes, password: str | None, *, uploaded: bool) -> tuple[SealKeyRow, SealKey]:
    """A row for ``pkcs12``, and the key it holds; raises ``SealKeyRefused`` when it
    cannot sign."""
    key = load_seal_key(pkcs12, password.encode() if password else None)
    row = SealKeyRow(
        pkcs12=pkcs12,
        password=password,
        subject=key.subject,
        fingerprint=key.fingerprint,
        uploaded=uploaded,
    )
    return row, key


async def current_seal(database: Database) -> SealKey:
    """The key to seal with now (made on first use when none exists yet)."""
    settings = signing_settings()
    if settings.seal_pkcs12_path:
        held = _loaded.get(database.url)
        if held is None or held.source != "file":
            held = _Loaded("file", _from_file(settings))
            _loaded[database.url] = held
        return held.key
    row = await _newest(database)
    if row is None:
        row = await _make(database)
    held = _loaded.get(database.url)
    if held is None or held.source != str(row.id):
        password = row.password.encode() if row.password else None
        held = _Loaded(str(row.id), load_seal_key(row.pkcs12, password))
        _loaded[database.url] = held
    return held.key


async def _make(database: Database) -> SealKeyRow:
    async with database.transaction() as tx:
        row, _key = row_of(create_seal_key(DEFAULT_HOLDER), None, uploaded=False)
        tx.add(row)
    return row


async def ensure_seal(runtime: Runtime) -> None:
    """At start-up: a configured seal file must be usable; else one exists in the database."""
    await current_seal(runtime.database)
