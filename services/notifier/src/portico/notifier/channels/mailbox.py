"""The local mailbox of the embedded mode: every email and SMS written under the data
folder instead of being sent, and read back by the development inbox API."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from portico.notifier.channels.base import SendResult, SmsContent


@dataclass(frozen=True)
class MailboxEntry:
    id: str
    channel: str
    to: str
    subject: str | None
    at: datetime
    text: str
    html: str | None
    # An email's From and Reply-To headers, as written.
    sender: str | None = None
    reply_to: str | None = None


class LocalMailbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send_email(
        self, sender: str, recipients: Sequence[str], message: bytes
    ) -> SendResult:
        entry_id = _entry_id()
        await asyncio.to_thread(self._write, f"{entry_id}.eml", message)
        return SendResult(provider_id=f"mailbox:{entry_id}")

    async def send_sms(self, message: SmsContent) -> SendResult:
        entry_id = _entry_id()
        record = {"to": message.to, "body": message.body, "at": datetime.now(UTC).isoformat()}
        await asyncio.to_thread(self._write, f"{entry_id}.sms.json", json.dumps(record).encode())
        return SendResult(provider_id=f"mailbox:{entry_id}")

    async def close(self) -> None:
        return None

    def _write(self, name: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # Written then renamed: a reader never sees half a message.
        partial = self.folder / f".{name}.partial"
        partial.write_bytes(data)
        partial.rename(self.folder / name)

    def entries(self) -> list[MailboxEntry]:
        if not self.folder.exists():
            return []
        found = [
            self._read(path) for path in self.folder.iterdir() if not path.name.startswith(".")
        ]
        return sorted((entry for entry in found if entry), key=lambda e: e.id, reverse=True)

    def entry(self, entry_id: str) -> MailboxEntry | None:
        for suffix in (".eml", ".sms.json"):
            path = self.folder / f"{entry_id}{suffix}"
            if _safe_id(entry_id) and path.exists():
                return self._read(path)
        return None

    def _read(self, path: Path) -> MailboxEntry | None:
        if path.name.endswith(".sms.json"):
            record: dict[str, Any] = json.loads(path.read_text())
            return MailboxEntry(
                id=path.name.removesuffix(".sms.json"),
                channel="sms",
                to=record["to"],
                subject=None,
                at=datetime.fromisoformat(record["at"]),
                text=record["body"],
                html=None,
            )
        if not path.name.endswith(".eml"):
            return None
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        return MailboxEntry(
            id=path.name.removesuffix(".eml"),
            channel="email",
            to=str(message["To"]),
            subject=str(message["Subject"]),
            at=datetime.fromtimestamp(path.stat().st_mtime, UTC),
            text=text.get_content() if text is not None else "",
            html=html.get_content() if html is not None else None,
            sender=str(message["From"]) if message["From"] else None,
            reply_to=str(message["Reply-To"]) if message["Reply-To"] else None,
        )


def _entry_id() -> str:
    # Sortable by time, unique across processes.
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"


def _safe_id(entry_id: str) -> bool:
    return all(character.isalnum() or character in "-T" for character in entry_id)
