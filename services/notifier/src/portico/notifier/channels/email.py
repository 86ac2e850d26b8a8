"""Building the MIME message of an email: text and HTML alternatives, attachments.

Built with the ``email.mime`` classes and flattened once: the modern ``EmailMessage`` API
parses every header it is given and costs three times as much per message, which at
thousands of emails is most of a worker's time.
"""

from __future__ import annotations

from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate

from portico.notifier.channels.base import EmailContent


def build_email(content: EmailContent, attachments: list[tuple[str, str, bytes]]) -> bytes:
    """The message as sent; ``attachments`` are (filename, content type, bytes)."""
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(content.text, "plain", "utf-8"))
    body.attach(MIMEText(content.html, "html", "utf-8"))
    if attachments:
        message = MIMEMultipart("mixed")
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
    message["Subject"] = Header(content.subject, "utf-8").encode()
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = content.message_id
    return message.as_bytes()
