"""Refresh token rotation with a short grace for the token just replaced.

A browser often refreshes twice with the same token at once (two tabs, the bell's poll
and a page load). Strict rotation took the second refresh for a stolen copy and ended the
session. Within the grace, the replaced token is answered with the same successor, so
both callers hold the one valid session; after it, a replayed token still ends it.

The successor is derived, not drawn: ``HMAC(key, session id + token)``. Only hashes of
tokens are stored, so a successor could not be answered again unless it can be computed
again; deriving it needs no stored secret (no ciphertext next to the hashes, no column),
and simultaneous refreshes compute the same value, so whichever writes first, both answer
the same pair. The key is derived from the access tokens' signing key, which only the
portal holds: without it, a stolen token says nothing of the next one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

_KEY_LABEL = b"portico/refresh-token-rotation/v1"


@dataclass(frozen=True)
class RefreshRotation:
    key: bytes
    grace: timedelta

    @classmethod
    def from_signing_key(cls, private_pem: str, grace: timedelta) -> RefreshRotation:
        # HKDF's extract step: a key of its own, so a successor reveals nothing of the
        # signing key and the signing key is never used for two purposes.
        key = hmac.new(private_pem.encode(), _KEY_LABEL, hashlib.sha256).digest()
        return cls(key=key, grace=grace)

    def successor(self, session_id: uuid.UUID, token: str) -> str:
        """The token that replaces ``token``: 32 bytes, URL-safe, like a drawn one."""
        digest = hmac.new(self.key, session_id.bytes + token.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def replaced_token_still_accepted(self, replaced_at: datetime, now: datetime) -> bool:
        return now - replaced_at < self.grace
