"""What every channel shares: the messages it sends and how a send can fail.

A channel raises ``TransientFailure`` when trying later may work (SMTP 4xx, a timeout, a
provider's 5xx or 429) and ``PermanentFailure`` when it cannot (SMTP 5xx, an invalid
number); the dispatcher retries the first with growing delays and records the second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class DeliveryFailure(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientFailure(DeliveryFailure):
    """Trying again later may work."""


class PermanentFailure(DeliveryFailure):
    """Trying again cannot help: the address or number is refused."""


@dataclass(frozen=True)
class SendResult:
    """What the channel answered: the provider's id of the message, when it gives one."""

    provider_id: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file of a blob store, read when the email is sent (not copied into the log).
    ``store`` names the service whose store holds ``blob_key``: the one that made the
    file (the quotes service for a quote's PDF), since each service keeps its own."""

    filename: str
    content_type: str
    blob_key: str
    store: str


@dataclass(frozen=True)
class EmailContent:
    """A rendered email, ready to send."""

    to: str
    to_name: str
    subject: str
    html: str
    text: str
    from_address: str
    from_name: str | None = None
    reply_to: str | None = None
    # Stable per (event, recipient, channel): a resend after a crash is the same message.
    message_id: str = ""


@dataclass(frozen=True)
class SmsContent:
    """A rendered text message; ``to`` is already in E.164 (+33612345678)."""

    to: str
    body: str
    # Stable per (event, recipient, channel); providers that accept one deduplicate with it.
    idempotency_key: str = ""


class SmsSender(Protocol):
    async def send_sms(self, message: SmsContent) -> SendResult: ...

    async def close(self) -> None: ...
