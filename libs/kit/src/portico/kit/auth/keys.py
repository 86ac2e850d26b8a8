"""Ed25519 key pairs for access tokens: the portal signs, every service verifies.

``python -m portico.kit.auth.keys DIR`` creates a pair in DIR once (compose runs it).
"""

from __future__ import annotations

import base64
import hashlib
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PRIVATE_FILE = "jwt-private.pem"
PUBLIC_FILE = "jwt-public.pem"


def generate_keypair() -> tuple[str, str]:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def load_or_create_keypair(folder: Path) -> tuple[str | None, str]:
    """The pair kept in ``folder``, created on first use; the private half may be absent
    where only verification happens (a read-only volume without it)."""
    private_path, public_path = folder / PRIVATE_FILE, folder / PUBLIC_FILE
    if not public_path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        private, public = generate_keypair()
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(private)
        public_path.write_text(public)
    private_text = private_path.read_text() if private_path.exists() else None
    return private_text, public_path.read_text()


def public_jwk(public_pem: str) -> dict[str, str]:
    """The public key as a JWK (RFC 8037), for a JWKS endpoint."""
    key = serialization.load_pem_public_key(public_pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    encoded = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": encoded,
        "use": "sig",
        "alg": "EdDSA",
        "kid": key_id(public_pem),
    }


def key_id(public_pem: str) -> str:
    return hashlib.sha256(public_pem.strip().encode()).hexdigest()[:16]


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/keys")
    load_or_create_keypair(target)
    print(f"JWT keys ready in {target}")
