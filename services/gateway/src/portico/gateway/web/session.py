"""The session: the user's tokens in a signed, HttpOnly cookie, and its CSRF token.

The gateway owns no data, so the session lives in the cookie itself. It holds the access
token (short-lived, refreshed quietly before it expires) and the refresh token; JavaScript
never sees either (HttpOnly), and another site's form cannot post with it (SameSite=Lax
and the CSRF token every state-changing request must carry).
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from portico.gateway.apis.identity import Tokens

COOKIE = "portico_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass
class WebSession:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    access: str | None = None
    refresh: str | None = None
    expires_at: float = 0.0
    role: str | None = None
    subject: str | None = None
    name: str | None = None
    locale: str | None = None
    flash: list[tuple[str, str]] = field(default_factory=list)
    # Not stored: whether the cookie must be written again.
    changed: bool = field(default=False, compare=False)

    @property
    def logged_in(self) -> bool:
        return self.access is not None

    @property
    def is_staff(self) -> bool:
        return self.role in {"admin", "staff"}

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_client(self) -> bool:
        return self.role == "client"

    def open(self, tokens: Tokens, *, name: str | None = None) -> None:
        """Log in: keep the tokens, and change the CSRF token (no fixation across logins)."""
        self.store_tokens(tokens)
        claims = _unverified_claims(tokens.access_token)
        self.role = str(claims.get("role"))
        self.subject = str(claims.get("sub"))
        self.name = name
        self.csrf = secrets.token_urlsafe(24)

    def store_tokens(self, tokens: Tokens) -> None:
        self.access = tokens.access_token
        self.refresh = tokens.refresh_token or self.refresh
        self.expires_at = time.time() + tokens.expires_in
        self.changed = True

    def close(self) -> None:
        """Log out: forget the tokens; the language stays."""
        locale = self.locale
        self.__init__()  # type: ignore[misc]
        self.locale = locale
        self.changed = True

    def needs_refresh(self, margin_seconds: float) -> bool:
        return self.refresh is not None and time.time() > self.expires_at - margin_seconds

    def notify(self, message: str, kind: str = "success") -> None:
        """A toast shown on the next page rendered."""
        self.flash.append((kind, message))
        self.changed = True

    def take_flash(self) -> list[tuple[str, str]]:
        messages, self.flash = self.flash, []
        if messages:
            self.changed = True
        return messages

    def csrf_matches(self, candidate: str | None) -> bool:
        return candidate is not None and hmac.compare_digest(candidate, self.csrf)


class SessionCodec:
    """Signs and reads the cookie; a tampered or expired one is a new, empty session."""

    def __init__(self, secret: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="portico.gateway.session")
        self.max_age = max_age_seconds

    def dumps(self, session: WebSession) -> str:
        data = asdict(session)
        data.pop("changed")
        return self._serializer.dumps(data)

    def loads(self, cookie: str | None) -> WebSession:
        if not cookie:
            return WebSession(changed=True)
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
            data["flash"] = [tuple(item) for item in data.get("flash", [])]
            return WebSession(**data)
        except (BadSignature, TypeError, ValueError):
            return WebSession(changed=True)


def _unverified_claims(token: str) -> dict[str, Any]:
    # The gateway only reads who is logged in to choose pages; every API verifies the token.
    try:
        payload = token.split(".")[1]
        decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return decoded if isinstance(decoded, dict) else {}
