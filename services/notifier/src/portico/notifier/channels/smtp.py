"""Email over SMTP with aiosmtplib: one connection, reused across messages, reopened when
the server closed it. Sends are serialised on it (SMTP is one conversation at a time)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import aiosmtplib

from portico.notifier.channels.base import PermanentFailure, SendResult, TransientFailure
from portico.notifier.settings import NotifierSettings


class SmtpSender:
    def __init__(self, settings: NotifierSettings) -> None:
        assert settings.smtp_host is not None
        self._settings = settings
        self._client: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    def _new_client(self) -> aiosmtplib.SMTP:
        settings = self._settings
        return aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            use_tls=settings.smtp_security == "tls",
            start_tls=settings.smtp_security == "starttls",
            username=settings.smtp_username,
            password=settings.smtp_password,
            timeout=settings.smtp_timeout,
        )

    async def send_email(
        self, sender: str, recipients: Sequence[str], message: bytes
    ) -> SendResult:
        async with self._lock:
            try:
                # aiosmtplib's timeout bounds each exchange; this one bounds the send.
                async with asyncio.timeout(self._settings.smtp_timeout):
                    client = await self._connected()
                    errors, answer = await client.sendmail(sender, list(recipients), message)
            except aiosmtplib.SMTPRecipientsRefused as error:
                raise _failure(error.recipients[0].code, error.recipients[0].message) from None
            except aiosmtplib.SMTPResponseException as error:
                await self._drop()
                raise _failure(error.code, error.message) from None
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
                await self._drop()
                raise TransientFailure(f"SMTP server unreachable: {error}") from None
        if errors:
            code, text = next(iter(errors.values()))
            raise _failure(code, text)
        return SendResult(provider_id=answer.strip() or None)

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is None or not self._client.is_connected:
            self._client = self._new_client()
            await self._client.connect()
        return self._client

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()

    async def close(self) -> None:
        async with self._lock:
            await self._drop()


def _failure(code: int, text: str) -> TransientFailure | PermanentFailure:
    reason = f"SMTP {code} {text}".strip()
    # 4xx: try later (greylisting, mailbox busy); 5xx: refused for good.
    return PermanentFailure(reason) if 500 <= code < 600 else TransientFailure(reason)
