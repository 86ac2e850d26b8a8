"""Building the MIME message of an email: text and HTML alternatives, attachments.

The standard library's ``EmailMessage`` builds it: a multipart/alternative of two base64
text parts, inside a multipart/mixed when files are attached. Header values are encoded
and folded by its policy (ASCII on the wire, lines of 78 characters at most), so any SMTP
server takes the message; the tests read every message back as a mail client would. The
MIME boundaries derive from the Message-ID, so a resend after a crash differs only by its
Date: "_" is outside the base64 alphabet of the parts, so no body can contain one.
"""

from __future__ import annotations

import email.policy
import hashlib
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

from portico.notifier.channels.base import EmailContent

MAX_LINE = 78
# "\n" line ends: aiosmtplib turns them into CRLF on the wire.
POLICY = email.policy.default.clone(linesep="\n", max_line_length=MAX_LINE)


def build_email(content: EmailContent, attachments: list[tuple[str, str, bytes]]) -> bytes:
    """The message as sent; ``attachments`` are (filename, content type, bytes)."""
    message = EmailMessage(policy=POLICY)
    message["From"] = Address(_one_line(content.from_name or ""), addr_spec=content.from_address)
    message["To"] = Address(_one_line(content.to_name), addr_spec=content.to)
    if content.reply_to:
        message["Reply-To"] = content.reply_to
    message["Subject"] = _one_line(content.subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = content.message_id
    message.set_content(content.text, cte="base64")
    message.add_alternative(content.html, subtype="html", cte="base64")
    boundary = "=_" + hashlib.sha256(content.message_id.encode()).hexdigest()[:32]
    message.set_boundary(f"{boundary}_alt")
    if attachments:
        # make_mixed moves the alternatives into a part of their own.
        message.make_mixed()
        message.set_boundary(f"{boundary}_mixed")
        for part in message.iter_parts():
            part.set_boundary(f"{boundary}_alt")
        for filename, content_type, data in attachments:
            maintype, _, subtype = content_type.partition("/")
            message.add_attachment(data, maintype, subtype, filename=filename)
    return message.as_bytes()


def _one_line(value: str) -> str:
    # A line break in a value (a display name, a subject) must not start a header of its
    # own (the policy refuses it outright: a name typed with one still gets its email).
    return " ".join(value.splitlines())
