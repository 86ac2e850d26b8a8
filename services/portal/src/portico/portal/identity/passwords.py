"""Password hashing (argon2id) and the strength rules a new password must meet."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portico.kit.problems import FieldError, ValidationProblem

MIN_LENGTH = 10
MAX_LENGTH = 256
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "motdepasse",
        "azertyuiop",
        "qwertyuiop",
        "1234567890",
        "0123456789",
        "iloveyou12",
        "letmein123",
        "welcome123",
        "bienvenue1",
        "portico123",
        "changeme12",
        "administrator",
        "admin12345",
    }
)

_hasher = PasswordHasher()
# Verified when the email matches no account, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("portico-timing-equaliser")


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """Why a new password is refused; empty when it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters long")
    if len(password) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters long")
    if len(set(password)) < 5:
        problems.append("must use at least 5 different characters")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS:
        problems.append("is too common")
    if email and email.split("@")[0].lower() in lowered and len(email.split("@")[0]) >= 4:
        problems.append("must not contain your email address")
    return problems


async def hash_password(password: str) -> str:
    # argon2 is deliberately slow: keep it off the event loop.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant in time whether or not there is an account (``password_hash`` None)."""
    return await asyncio.to_thread(_verify, password_hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str, *, email: str | None, field: str = "password") -> None:
    """Raise a 422 naming ``field`` with every rule the password breaks."""
    problems = password_problems(password, email=email)
    if problems:
        raise ValidationProblem(
            f"{field}: the password " + "; ".join(problems) + ".",
            errors=[
                FieldError(field=field, location="body", message=problem, code="weak_password")
                for problem in problems
            ],
        )
