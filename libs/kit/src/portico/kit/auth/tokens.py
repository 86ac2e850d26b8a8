"""Access tokens: EdDSA-signed JWTs the portal issues and every service verifies."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from portico.kit.auth.keys import key_id
from portico.kit.auth.principals import ROLES, Principal
from portico.kit.problems import Unauthorized

ALGORITHM = "EdDSA"


class TokenIssuer:
    def __init__(
        self, private_pem: str, issuer: str, ttl: timedelta = timedelta(minutes=15)
    ) -> None:
        self._private_pem = private_pem
        self.issuer = issuer
        self.ttl = ttl

    def issue(self, principal: Principal) -> tuple[str, int]:
        """The signed token and its lifetime in seconds."""
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": principal.subject,
            "role": principal.role,
            "jti": principal.token_id or uuid.uuid4().hex,
            "iat": now,
            "exp": now + self.ttl,
        }
        if principal.client_id is not None:
            claims["client_id"] = str(principal.client_id)
        if principal.contact_id is not None:
            claims["contact_id"] = str(principal.contact_id)
        if principal.scopes:
            claims["scopes"] = sorted(principal.scopes)
        token = jwt.encode(
            claims, self._private_pem, algorithm=ALGORITHM, headers={"kid": self._kid()}
        )
        return token, int(self.ttl.total_seconds())

    def _kid(self) -> str:
        from cryptography.hazmat.primitives import serialization

        key = serialization.load_pem_private_key(self._private_pem.encode(), password=None)
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return key_id(public.decode())


class TokenVerifier:
    def __init__(self, public_pem: str, issuer: str) -> None:
        self._public_pem = public_pem
        self.issuer = issuer

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._public_pem,
                algorithms=[ALGORITHM],  # never "none" nor an HMAC
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The access token has expired.") from None
        except jwt.InvalidTokenError:
            raise Unauthorized("The access token is not valid.") from None
        role = claims.get("role")
        if role not in ROLES:
            raise Unauthorized("The access token has no valid role.")
        try:
            return Principal(
                subject=str(claims["sub"]),
                role=role,
                client_id=_uuid(claims.get("client_id")),
                contact_id=_uuid(claims.get("contact_id")),
                scopes=frozenset(claims.get("scopes") or ()),
                token_id=str(claims["jti"]),
            )
        except ValueError:
            raise Unauthorized("The access token is not valid.") from None


def _uuid(value: object) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))
