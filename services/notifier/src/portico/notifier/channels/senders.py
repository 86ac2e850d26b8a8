"""The channels a notifier process sends with, chosen from its settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import structlog

from portico.kit.settings import PorticoSettings
from portico.notifier.channels.base import SendResult, SmsSender
from portico.notifier.channels.mailbox import LocalMailbox
from portico.notifier.channels.sms_http import HttpSmsSender
from portico.notifier.channels.smtp import SmtpSender
from portico.notifier.settings import NotifierSettings

log = structlog.get_logger(__name__)


class EmailSender(Protocol):
    async def send_email(
        self, sender: str, recipients: Sequence[str], message: bytes
    ) -> SendResult: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Senders:
    email: EmailSender
    sms: SmsSender

    async def close(self) -> None:
        await self.email.close()
        await self.sms.close()


def mailbox_folder(shared: PorticoSettings) -> Path:
    return shared.data_dir / "mailbox"


def create_senders(settings: NotifierSettings, shared: PorticoSettings) -> Senders:
    mailbox = LocalMailbox(mailbox_folder(shared))
    email: EmailSender = mailbox
    if settings.smtp_host:
        email = SmtpSender(settings)
    elif not shared.embedded:
        log.warning(
            "no SMTP server configured: emails go to the local mailbox", folder=str(mailbox.folder)
        )
    sms: SmsSender = mailbox
    if settings.sms_provider == "http":
        if not (settings.sms_account_sid and settings.sms_auth_token):
            raise RuntimeError(
                "PORTICO_NOTIFIER_SMS_ACCOUNT_SID and PORTICO_NOTIFIER_SMS_AUTH_TOKEN are "
                "needed for the HTTP SMS provider"
            )
        sms = HttpSmsSender(
            base_url=settings.sms_base_url,
            account_sid=settings.sms_account_sid,
            auth_token=settings.sms_auth_token,
            from_number=settings.sms_from,
            messaging_service_sid=settings.sms_messaging_service_sid,
        )
    return Senders(email=email, sms=sms)
