"""Ed25519 key pairs for access tokens: the portal signs, every service verifies.

``python -m portico.kit.auth.keys DIR`` creates a pair in DIR once (compose runs it before
the services start, on the volume they share); ``python -m portico.kit.auth.keys rotate DIR``
replaces it without downtime: the new pair signs, and the old public key, kept as
``jwt-accepted-<kid>.pem``, still verifies the tokens it signed until they expire.
Verifiers reading the folder load a key they do not know yet when a token names it, so only
the portal needs a restart to sign with the new key.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm

PRIVATE_FILE = "jwt-private.pem"
PUBLIC_FILE = "jwt-public.pem"
# Public keys verified besides the signing one: the previous pair's after a rotation.
ACCEPTED_PREFIX = "jwt-accepted-"
# How long a rotated-out key stays accepted: far beyond an access token's lifetime (15
# minutes), so that no token it signed is refused, whatever the portal's settings.
KEEP_ACCEPTED = timedelta(days=1)


def generate_keypair() -> tuple[str, str]:
    """A new (private, public) pair in PEM: PKCS#8 and SubjectPublicKeyInfo."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return private, _public_pem(key.public_key())


def public_key_of(private_pem: str) -> str:
    """The public half of a private key, in PEM."""
    return _public_pem(parse_private_key(private_pem).public_key())


def load_or_create_keypair(folder: Path) -> tuple[str, str]:
    """The pair kept in ``folder``, created on first use (embedded mode, compose's volume).

    The private file is the truth and the public one is derived from it, so processes
    starting together can never end up with halves of different pairs: the first to
    link its private file wins, the others read it.
    """
    private_path, public_path = folder / PRIVATE_FILE, folder / PUBLIC_FILE
    # Looked at before the private file: the public one is only ever written after it, so
    # a public file seen first, then no private one, is a folder meant for verifying only.
    public_seen = public_path.exists()
    if not private_path.exists():
        if public_seen:
            raise FileNotFoundError(
                f"{public_path} exists without {private_path.name}: a process that only "
                "verifies tokens reads it with read_public_key"
            )
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _create_private_key(private_path)
    private_pem = private_path.read_text()
    public_pem = public_key_of(private_pem)
    if not public_path.exists() or public_path.read_text() != public_pem:
        _write_atomically(public_path, public_pem, mode=0o644)
    return private_pem, public_pem


def read_public_key(folder: Path) -> str:
    """The public key kept in ``folder``, for processes that never sign."""
    public_pem = (folder / PUBLIC_FILE).read_text()
    parse_public_key(public_pem)
    return public_pem


def accepted_public_keys(folder: Path) -> list[str]:
    """The public keys ``folder`` keeps besides its pair's, oldest first."""
    found = sorted(folder.glob(f"{ACCEPTED_PREFIX}*.pem"), key=lambda path: path.stat().st_mtime)
    keys = [path.read_text() for path in found]
    for public_pem in keys:
        parse_public_key(public_pem)
    return keys


def rotate_keypair(folder: Path, *, keep: timedelta = KEEP_ACCEPTED) -> str:
    """A new pair in ``folder``, the old public key kept as accepted, and the accepted
    keys rotated out more than ``keep`` ago removed; answers the new key's id."""
    _, old_public = load_or_create_keypair(folder)
    horizon = time.time() - keep.total_seconds()
    for path in folder.glob(f"{ACCEPTED_PREFIX}*.pem"):
        if path.stat().st_mtime < horizon:
            path.unlink(missing_ok=True)
    new_private, new_public = generate_keypair()
    # Accepted before the new pair exists: a verifier reloading at any moment in between
    # knows every key a token in circulation can name.
    retired = folder / f"{ACCEPTED_PREFIX}{key_id(old_public)}.pem"
    _write_atomically(retired, old_public, mode=0o644)
    _write_atomically(folder / PRIVATE_FILE, new_private, mode=0o600)
    _write_atomically(folder / PUBLIC_FILE, new_public, mode=0o644)
    return key_id(new_public)


def public_jwk(public_pem: str) -> dict[str, str]:
    """The public key as a JWK (RFC 8037), for a JWKS endpoint."""
    jwk = OKPAlgorithm.to_jwk(parse_public_key(public_pem), as_dict=True)
    return {**jwk, "use": "sig", "alg": "EdDSA", "kid": key_id(public_pem)}


def key_id(public_pem: str) -> str:
    """The key's RFC 7638 thumbprint: the same key gives the same ``kid`` anywhere."""
    jwk = OKPAlgorithm.to_jwk(parse_public_key(public_pem), as_dict=True)
    required = {name: jwk[name] for name in ("crv", "kty", "x")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()


def parse_private_key(private_pem: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the token signing key must be an Ed25519 private key")
    return key


def parse_public_key(public_pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(public_pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the token verification key must be an Ed25519 public key")
    return key


def _public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _create_private_key(path: Path) -> None:
    private_pem, _ = generate_keypair()
    # mkstemp creates the file readable by its owner only (0600), before a byte is written.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".jwt-private-")
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(private_pem)
            file.flush()
            os.fsync(file.fileno())
        # Atomic, and refuses to replace a key already there: if another process created
        # it first, its key is the one.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _write_atomically(path: Path, text: str, *, mode: int) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["rotate"]:
        target = Path(arguments[1] if len(arguments) > 1 else "var/keys")
        print(f"JWT keys rotated in {target}: tokens are now signed with {rotate_keypair(target)}")
    else:
        target = Path(arguments[0] if arguments else "var/keys")
        load_or_create_keypair(target)
        print(f"JWT keys ready in {target}")
