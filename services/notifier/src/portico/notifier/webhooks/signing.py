"""Signing a webhook as the Standard Webhooks specification says, and checking it.

``webhook-signature: v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">``
under the endpoint's secret, ``whsec_<base64 of its bytes>``, so that a receiver checks it
with any Standard Webhooks library or with the few lines of ``verify``. The timestamp is
signed too: a receiver refuses one more than ``TOLERANCE`` away from its clock, and a
captured request cannot be replayed later. Pure: no clock, no I/O (``now`` is given).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix the specification gives every secret)
SECRET_BYTES = 32
TOLERANCE = timedelta(minutes=5)
VERSION = "v1"


class InvalidSignature(Exception):
    """What a receiver answers 4xx for: headers missing, a stale timestamp, no signature
    matching."""


def new_secret() -> str:
    """A fresh endpoint secret: 32 random bytes, ``whsec_`` and their base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key a ``whsec_…`` secret stands for (the prefix is optional, as the
    libraries take it)."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a webhook secret is whsec_ and base64") from None
    if not key:
        raise ValueError("a webhook secret is not empty")
    return key


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64>``: the signature of one request."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return f"{VERSION},{base64.b64encode(digest).decode()}"


def signed_headers(
    secrets_: Sequence[str], message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three headers of a request, signed with every secret in ``secrets_``: the
    current one, and for a while after a rotation the previous one too (the header holds
    several signatures, space-separated, and a receiver accepts any that it can check)."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret, message_id, timestamp, body) for secret in secrets_
        ),
    }


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: datetime) -> None:
    """What a receiver does (and the tests): raises ``InvalidSignature`` unless the
    headers carry a fresh timestamp and a signature made with ``secret`` over this body."""
    lowered = {name.lower(): value for name, value in headers.items()}
    message_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not (message_id and stamp and signatures):
        raise InvalidSignature("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise InvalidSignature("webhook-timestamp is not a Unix time") from None
    if abs(now.timestamp() - timestamp) > TOLERANCE.total_seconds():
        raise InvalidSignature("webhook-timestamp is more than 5 minutes away")
    expected = signature(secret, message_id, timestamp, body)
    for candidate in signatures.split():
        if hmac.compare_digest(candidate.encode(), expected.encode()):
            return
    raise InvalidSignature("no signature matches")
