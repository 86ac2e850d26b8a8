"""Access tokens: EdDSA-signed JWTs the portal issues and every service verifies offline.

Claims: ``iss``, ``sub``, ``role``, ``jti``, ``iat``, ``exp``; ``client_id`` and
``contact_id`` for clients; ``scopes`` for API keys. Verification accepts EdDSA only, so a
token signed with ``none`` or an HMAC (the classic algorithm-confusion attack) is refused.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from portico.kit.auth.keys import key_id, parse_private_key, parse_public_key, public_key_of
from portico.kit.auth.principals import ROLES, Principal
from portico.kit.problems import Unauthorized

ALGORITHM = "EdDSA"
# Services' clocks drift a little; a token is not refused for a few seconds of it.
CLOCK_LEEWAY = timedelta(seconds=10)
_REQUIRED_CLAIMS = ["iss", "sub", "role", "jti", "iat", "exp"]


class TokenIssuer:
    """Signs access tokens with the private key (only the portal holds one)."""

    def __init__(
        self, private_pem: str, issuer: str, ttl: timedelta = timedelta(minutes=15)
    ) -> None:
        self._key = parse_private_key(private_pem)
        self._kid = key_id(public_key_of(private_pem))
        self.issuer = issuer
        self.ttl = ttl

    def issue(self, principal: Principal, *, now: datetime | None = None) -> tuple[str, int]:
        """The signed token and its lifetime in seconds (an OAuth ``expires_in``).

        Signatures are deterministic: the same principal issued at the same ``now`` gives
        the same token, so a repeated request can be answered with the token given first.
        """
        now = now or datetime.now(UTC)
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
        token = jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self._kid})
        return token, int(self.ttl.total_seconds())


# What a verifier's keys come from when they can change under it (a keys folder rotated by
# ``keys.rotate_keypair``): the signing public key and the others accepted.
KeySource = Callable[[], tuple[str, Sequence[str]]]
# A token naming an unknown key makes the verifier look again at most this often, so that
# forged key ids cannot make it read its source at every request.
RELOAD_INTERVAL = 5.0


class TokenVerifier:
    """Checks access tokens with the public keys; every failure is a 401 problem.

    A token names its key (``kid``); the verifier accepts the signing key and the keys
    ``accepted`` besides it (the previous one during a rotation). With ``reload``, a key it
    does not know is looked for again in its source, for a rotation made while it runs."""

    def __init__(
        self,
        public_pem: str,
        issuer: str,
        *,
        accepted: Sequence[str] = (),
        reload: KeySource | None = None,
    ) -> None:
        self.issuer = issuer
        self._reload = reload
        self._reloaded_at = -RELOAD_INTERVAL
        self._use(public_pem, accepted)

    def _use(self, public_pem: str, accepted: Sequence[str]) -> None:
        self.public_keys = [public_pem, *(pem for pem in accepted if pem != public_pem)]
        self._keys = {key_id(pem): parse_public_key(pem) for pem in self.public_keys}
        self._current = self._keys[key_id(public_pem)]

    def _key_for(self, token: str) -> Ed25519PublicKey:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError:
            raise Unauthorized("The access token is not valid.", invalid_token=True) from None
        if kid is None:
            return self._current
        if kid not in self._keys and self._reload is not None:
            now = time.monotonic()
            if now - self._reloaded_at >= RELOAD_INTERVAL:
                self._reloaded_at = now
                self._use(*self._reload())
        key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("The access token is not valid.", invalid_token=True)
        return key

    def verify(self, token: str) -> Principal:
        key = self._key_for(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                leeway=CLOCK_LEEWAY,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The access token has expired.", invalid_token=True) from None
        except jwt.InvalidTokenError:
            raise Unauthorized("The access token is not valid.", invalid_token=True) from None
        try:
            return _principal_from(claims)
        except (TypeError, ValueError):
            raise Unauthorized(
                "The access token does not describe a valid account.", invalid_token=True
            ) from None


def _principal_from(claims: Mapping[str, Any]) -> Principal:
    role = claims["role"]
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    scopes = claims.get("scopes") or []
    if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
        raise ValueError("scopes must be a list of strings")
    return Principal(
        subject=str(claims["sub"]),
        role=role,
        client_id=_uuid_or_none(claims.get("client_id")),
        contact_id=_uuid_or_none(claims.get("contact_id")),
        scopes=frozenset(scopes),
        token_id=str(claims["jti"]),
    )


def _uuid_or_none(value: object) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))
