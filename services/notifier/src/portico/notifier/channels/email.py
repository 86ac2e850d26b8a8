"""Building the MIME message of an email: text and HTML alternatives, attachments."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate

from portico.notifier.channels.base import EmailContent


def build_email(content: EmailContent, attachments: list[tuple[str, str, bytes]]) -> EmailMessage:
    """``attachments`` are (filename, content type, bytes), already read from the store."""
    message = EmailMessage()
    message["From"] = formataddr((content.from_name or "", content.from_address))
    message["To"] = formataddr((content.to_name, content.to))
    if content.reply_to:
        message["Reply-To"] = content.reply_to
    message["Subject"] = content.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = content.message_id
    message.set_content(content.text)
    message.add_alternative(content.html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(
            data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename
        )
    return message
