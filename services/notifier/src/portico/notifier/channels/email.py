"""Building the MIME message of an email: text and HTML alternatives, attachments.

Built with the ``email.mime`` classes and flattened once: the modern ``EmailMessage`` API
parses every header it is given and costs three times as much per message, which at
thousands of emails is most of a worker's time. For the same reason the MIME boundaries
derive from the Message-ID (the generator need not search the body for a free one) and a
non-ASCII subject is base64-encoded (quoted-printable header splitting measures every
byte again and again), and a short ASCII header is written as it is rather than through
the ``Header`` folding machinery.
"""

from __future__ import annotations

import base64
import hashlib
from email.charset import BASE64, Charset
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import Compat32
from email.utils import formataddr, formatdate
from typing import Any

from portico.notifier.channels.base import EmailContent


class _Policy(Compat32):
    """compat32 as the ``email.mime`` classes expect, minus the cost of folding a header
    that needs no folding."""

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if (
            isinstance(value, str)
            and value.isascii()
            and "\n" not in value
            and len(name) + len(value) + 2 <= (self.max_line_length or 78)
        ):
            return f"{name}: {value}{self.linesep}"
        folded: str = super()._fold(name, value, sanitize)  # type: ignore[misc]
        return folded


_POLICY = _Policy()
_UTF8_BASE64 = Charset("utf-8")
_UTF8_BASE64.header_encoding = BASE64


def _text_part(subtype: str, content: str) -> MIMENonMultipart:
    # What MIMEText(content, subtype, "utf-8") makes, without its charset bookkeeping,
    # which cost four times the encoding itself.
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    part["Content-Transfer-Encoding"] = "base64"
    part.set_payload(base64.encodebytes(content.encode("utf-8")).decode("ascii"))
    return part


def build_email(content: EmailContent, attachments: list[tuple[str, str, bytes]]) -> bytes:
    """The message as sent; ``attachments`` are (filename, content type, bytes)."""
    # "_" is outside the base64 alphabet the parts are encoded in: it cannot occur there.
    boundary = "=_" + hashlib.sha256(content.message_id.encode()).hexdigest()[:32]
    body = MIMEMultipart("alternative", boundary=f"{boundary}_alt")
    body.attach(_text_part("plain", content.text))
    body.attach(_text_part("html", content.html))
    if attachments:
        message = MIMEMultipart("mixed", boundary=f"{boundary}_mixed")
        message.attach(body)
        for filename, content_type, data in attachments:
            _, _, subtype = content_type.partition("/")
            part = MIMEApplication(data, _subtype=subtype or "octet-stream")
            part.replace_header("Content-Type", f'{content_type}; name="{filename}"')
            part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", filename))
            message.attach(part)
    else:
        message = body
    message["From"] = formataddr((content.from_name or "", content.from_address))
    message["To"] = formataddr((content.to_name, content.to))
    if content.reply_to:
        message["Reply-To"] = content.reply_to
    message["Subject"] = (
        content.subject
        if content.subject.isascii()
        else Header(content.subject, _UTF8_BASE64, header_name="Subject").encode()
    )
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = content.message_id
    return message.as_bytes(policy=_POLICY)
