"""A document's audit trail, its entries chained by SHA-256: each entry's digest covers the
entry and the digest before it, so changing, removing or reordering any entry afterwards
changes every digest from there on. Pure: no I/O, no clock.

The signing service stores each event with its digest as it happens and prints the chain on
the certificate of completion; anyone holding the trail can recompute it with ``chain``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType

# The digest before the first entry.
GENESIS = "0" * 64
# Part of every serialisation, so that a later change of what an entry holds is a new
# version and never reads an old digest differently.
_FORMAT = 1


@dataclass(frozen=True)
class TrailEntry:
    """One event of a document's life: what happened, when (UTC), by whom and from where.

    ``action`` is a code (``sent``, ``viewed``, ``signed``…), worded by the certificate;
    ``details`` says what it was about (``{"field": "IBAN"}``)."""

    at: datetime
    action: str
    actor: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    time_zone: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError("a trail entry's time must be timezone-aware")
        if not self.action:
            raise ValueError("a trail entry needs an action")
        for key, value in self.details.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise TypeError("a trail entry's details are strings")
        # A copy nobody can change under the digest (the caller's dict stays theirs).
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))


def canonical(previous: str, entry: TrailEntry) -> bytes:
    """The bytes ``entry_digest`` hashes: JSON with sorted keys, no spaces and non-ASCII
    escaped (one spelling per value, whatever the encoder), the time in UTC to the
    microsecond with a ``Z``, absent values as ``null`` (never confused with "")."""
    document = {
        "format": _FORMAT,
        "previous": previous,
        "at": entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "action": entry.action,
        "actor": entry.actor,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "time_zone": entry.time_zone,
        "details": dict(entry.details),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return text.encode("ascii")


def entry_digest(previous: str, entry: TrailEntry) -> str:
    """The SHA-256 (hex) of ``entry`` after the digest ``previous`` (``GENESIS`` first)."""
    if len(previous) != 64:
        raise ValueError("the previous digest is 64 hexadecimal digits")
    return hashlib.sha256(canonical(previous, entry)).hexdigest()


def chain(entries: Sequence[TrailEntry]) -> list[str]:
    """Each entry's digest, in order; the last one (the head) stands for the whole trail."""
    digests: list[str] = []
    previous = GENESIS
    for entry in entries:
        previous = entry_digest(previous, entry)
        digests.append(previous)
    return digests


def first_broken(entries: Sequence[TrailEntry], digests: Sequence[str]) -> int | None:
    """The index of the first entry whose stored digest does not match, None when the
    whole chain holds. A digest with no entry (an entry removed from the end) is broken at
    ``len(entries)``; an entry with no digest, at its own index. A trail cut short with its
    digests is only seen against the head kept elsewhere (the one on the certificate)."""
    previous = GENESIS
    for index, entry in enumerate(entries):
        if index >= len(digests):
            return index
        previous = entry_digest(previous, entry)
        if previous != digests[index]:
            return index
    if len(digests) > len(entries):
        return len(entries)
    return None


def head(digests: Sequence[str]) -> str:
    """The chain's last digest: ``GENESIS`` for an empty trail."""
    return digests[-1] if digests else GENESIS
