"""Password hashing (argon2id) and the strength rules a new password must meet: a length, and
zxcvbn's estimate of how easily it is guessed (its maintained lists of common and breached
passwords, words, names and patterns)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from portico.kit.problems import FieldError, ValidationProblem

MIN_LENGTH = 10
MAX_LENGTH = 256
# zxcvbn's scores run from 0 to 4; 3 means about 10^8 guesses, out of reach of guessing
# online and costly offline against argon2id. Common and breached passwords, words, names,
# dates, keyboard patterns and the person's own email all score below it.
MIN_STRENGTH = 3
# zxcvbn refuses longer input (its matching grows fast); a prefix this long already tells.
_STRENGTH_CHECKED_LENGTH = 72

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
    if email and email.split("@")[0].lower() in lowered and len(email.split("@")[0]) >= 4:
        problems.append("must not contain your email address")
    elif password and not problems:
        problems += _guessability(password, email)
    return problems


def _guessability(password: str, email: str | None) -> list[str]:
    """Why zxcvbn finds the password easy to guess; empty when it is strong enough."""
    hints = [email, email.split("@")[0]] if email else []
    estimate = zxcvbn(password[:_STRENGTH_CHECKED_LENGTH], user_inputs=hints)
    if estimate["score"] >= MIN_STRENGTH:
        return []
    warning = str(estimate["feedback"]["warning"]).rstrip(".")
    reason = warning[:1].lower() + warning[1:] if warning else _UNSAID_REASON
    return [f"is too easy to guess ({reason}); a few unrelated words make a strong one"]


_UNSAID_REASON = "it is close to common words, names, dates or keyboard patterns"


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
                FieldError(field=field, location="body", message=problem, code=_code(problem))
                for problem in problems
            ],
        )


def _code(problem: str) -> str:
    # A separate code, so a page can tell "easy to guess" from "too short" in its language.
    return "guessable_password" if problem.startswith("is too easy to guess") else "weak_password"
