"""Password rules, hashing and login throttling: the pure parts of the portal's identity."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from portico.kit.auth import generate_keypair
from portico.portal.identity.passwords import hash_password, password_problems, verify_password
from portico.portal.identity.rotation import RefreshRotation
from portico.portal.identity.throttle import ACCOUNT_RULE, ThrottleRule, retry_after

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1!", "at least 10 characters"),
        ("aaaaaaaaaaaa", "5 different characters"),
        ("motdepasse", "too easy to guess (this is a very common password)"),
        ("password12", "too easy to guess"),
        ("Azertyuiop1!", "too easy to guess"),
        ("camille-2026-atelier", "must not contain your email"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, problem: str) -> None:
    problems = password_problems(password, email="camille@atelier.example")
    assert any(problem in text for text in problems), problems


def test_a_strong_password_passes() -> None:
    assert password_problems("Lune-vélo-42-pivoine", email="camille@atelier.example") == []


async def test_hashes_are_salted_and_verify_only_the_right_password() -> None:
    first, second = (
        await hash_password("Lune-vélo-42-pivoine"),
        await hash_password("Lune-vélo-42-pivoine"),
    )
    assert first != second and first.startswith("$argon2id$")
    assert await verify_password(first, "Lune-vélo-42-pivoine")
    assert not await verify_password(first, "lune-vélo-42-pivoine")
    assert not await verify_password("not-a-hash", "anything")


async def test_an_unknown_account_never_verifies() -> None:
    # No hash (no such account): the dummy hash is checked so the answer takes as long.
    assert not await verify_password(None, "portico-timing-equaliser")


def test_logins_are_allowed_until_the_limit_then_blocked_until_the_window_ends() -> None:
    rule = ThrottleRule(limit=3, window=timedelta(minutes=15))
    failures = [NOW - timedelta(minutes=10), NOW - timedelta(minutes=5)]
    assert retry_after(failures, rule, NOW) is None
    failures.append(NOW - timedelta(minutes=1))
    wait = retry_after(failures, rule, NOW)
    assert wait is not None and 290 <= wait <= 302  # the oldest failure leaves in 5 minutes
    assert retry_after(failures, rule, NOW + timedelta(minutes=6)) is None


def test_old_failures_do_not_count() -> None:
    failures = [NOW - timedelta(hours=2)] * 50
    assert retry_after(failures, ACCOUNT_RULE, NOW) is None


def test_a_refresh_token_has_one_successor_known_only_with_the_key() -> None:
    session_id = uuid.uuid4()
    rotation = RefreshRotation.from_signing_key(generate_keypair()[0], timedelta(seconds=10))
    other_key = RefreshRotation.from_signing_key(generate_keypair()[0], timedelta(seconds=10))
    successor = rotation.successor(session_id, "token-1")
    assert successor == rotation.successor(session_id, "token-1")
    assert len(successor) == 43  # 32 bytes, URL-safe, as a drawn token
    assert successor != other_key.successor(session_id, "token-1")
    assert successor != rotation.successor(session_id, "token-2")
    assert successor != rotation.successor(uuid.uuid4(), "token-1")


def test_the_replaced_token_is_accepted_only_within_the_grace() -> None:
    rotation = RefreshRotation(key=b"k" * 32, grace=timedelta(seconds=10))
    assert rotation.replaced_token_still_accepted(NOW, NOW + timedelta(seconds=9))
    assert not rotation.replaced_token_still_accepted(NOW, NOW + timedelta(seconds=10))
