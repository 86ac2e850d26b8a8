"""Rotating the access tokens' signing key without downtime: the new pair signs, the old
public key verifies the tokens it signed until they expire, verifiers reading the keys
folder learn a new key when a token first names it, and keys given as settings accept the
next or previous key besides the signing one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from portico.kit.auth import (
    Principal,
    TokenIssuer,
    TokenVerifier,
    generate_keypair,
    load_or_create_keypair,
)
from portico.kit.auth.keys import ACCEPTED_PREFIX, PRIVATE_FILE, key_id, rotate_keypair
from portico.kit.problems import Unauthorized
from portico.kit.service import token_verifier
from portico.kit.settings import PorticoSettings

STAFF = Principal(subject="u-1", role="staff")


def signed_with(private: str) -> str:
    return TokenIssuer(private, "portico").issue(STAFF)[0]


def test_a_rotation_keeps_old_tokens_valid_and_running_verifiers_learn_the_new_key(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "keys"
    settings = PorticoSettings(data_dir=tmp_path, keys_dir=folder)
    old_private, old_public = load_or_create_keypair(folder)
    running = token_verifier(settings, old_public)  # a service started before the rotation
    before = signed_with(old_private)

    new_kid = rotate_keypair(folder)
    new_private, new_public = load_or_create_keypair(folder)
    assert key_id(new_public) == new_kid != key_id(old_public)
    assert (folder / PRIVATE_FILE).stat().st_mode & 0o077 == 0
    after = signed_with(new_private)

    # The running verifier reads the folder again when a token names the new key.
    assert running.verify(after).subject == "u-1"
    assert running.verify(before).subject == "u-1"
    restarted = token_verifier(settings, new_public)
    assert restarted.verify(before).subject == "u-1"
    assert restarted.verify(after).subject == "u-1"
    # The portal's JWKS publishes both, the signing key first.
    assert [key_id(pem) for pem in restarted.public_keys] == [new_kid, key_id(old_public)]


def test_a_key_nobody_issued_is_refused_without_reading_its_source_each_time() -> None:
    _, public = generate_keypair()
    forged_private, _ = generate_keypair()
    reads: list[float] = []

    def source() -> tuple[str, list[str]]:
        reads.append(time.monotonic())
        return public, []

    verifier = TokenVerifier(public, "portico", reload=source)
    for _ in range(5):
        with pytest.raises(Unauthorized):
            verifier.verify(signed_with(forged_private))
    assert len(reads) == 1


def test_keys_rotated_out_long_ago_are_removed_at_the_next_rotation(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    load_or_create_keypair(folder)
    rotate_keypair(folder)
    [first] = folder.glob(f"{ACCEPTED_PREFIX}*.pem")
    long_ago = time.time() - timedelta(days=2).total_seconds()
    os.utime(first, (long_ago, long_ago))
    _, previous = load_or_create_keypair(folder)
    rotate_keypair(folder)
    # The key rotated out two days ago goes; the one just rotated out stays accepted.
    assert [path.name for path in folder.glob(f"{ACCEPTED_PREFIX}*.pem")] == [
        f"{ACCEPTED_PREFIX}{key_id(previous)}.pem"
    ]


def test_keys_given_as_settings_accept_the_next_and_the_previous_key(tmp_path: Path) -> None:
    current_private, current_public = generate_keypair()
    next_private, next_public = generate_keypair()
    other_private, _ = generate_keypair()
    settings = PorticoSettings(
        data_dir=tmp_path,
        jwt_public_key=current_public,
        jwt_accepted_public_keys=[next_public],
    )
    verifier = token_verifier(settings, current_public)
    # Step 1 of a rotation: every service accepts the next key before the portal uses it.
    assert verifier.verify(signed_with(current_private)).subject == "u-1"
    assert verifier.verify(signed_with(next_private)).subject == "u-1"
    with pytest.raises(Unauthorized):
        verifier.verify(signed_with(other_private))


def test_the_rotate_command_rotates_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    _, before = load_or_create_keypair(folder)
    done = subprocess.run(
        [sys.executable, "-m", "portico.kit.auth.keys", "rotate", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    _, after = load_or_create_keypair(folder)
    assert key_id(after) in done.stdout and after != before
    assert (folder / f"{ACCEPTED_PREFIX}{key_id(before)}.pem").read_text() == before
