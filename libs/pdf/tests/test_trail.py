from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from portico.pdf.trail import (
    GENESIS,
    TrailEntry,
    canonical,
    chain,
    entry_digest,
    first_broken,
    head,
)

_START = datetime(2025, 3, 1, 9, 30, 0, 125000, tzinfo=UTC)


def _trail() -> list[TrailEntry]:
    return [
        TrailEntry(_START, "sent", "Claire Martin <claire@example.fr>", "203.0.113.5"),
        TrailEntry(
            _START + timedelta(minutes=5),
            "link_opened",
            "jane@example.com",
            "198.51.100.7",
            "Mozilla/5.0 (X11; Linux x86_64)",
            "Europe/Paris",
        ),
        TrailEntry(
            _START + timedelta(minutes=6),
            "field_completed",
            "jane@example.com",
            "198.51.100.7",
            "Mozilla/5.0 (X11; Linux x86_64)",
            "Europe/Paris",
            {"field": "IBAN"},
        ),
        TrailEntry(
            _START + timedelta(minutes=7),
            "signed",
            "jane@example.com",
            "198.51.100.7",
            "Mozilla/5.0 (X11; Linux x86_64)",
            "Europe/Paris",
        ),
    ]


def test_the_chain_is_deterministic_and_starts_from_genesis() -> None:
    entries = _trail()
    digests = chain(entries)
    assert digests == chain(_trail())
    assert len(digests) == 4 and len(set(digests)) == 4
    assert all(len(d) == 64 and int(d, 16) >= 0 for d in digests)
    assert digests[0] == entry_digest(GENESIS, entries[0])
    assert digests[1] == entry_digest(digests[0], entries[1])
    assert head(digests) == digests[-1]
    assert head([]) == GENESIS
    assert chain([]) == []
    assert first_broken(entries, digests) is None


def test_the_same_instant_in_another_offset_is_the_same_entry() -> None:
    entry = _trail()[0]
    paris = entry.at.astimezone(timezone(timedelta(hours=1)))
    assert entry_digest(GENESIS, entry) == entry_digest(
        GENESIS, dataclasses.replace(entry, at=paris)
    )


def test_the_serialisation_is_canonical_json() -> None:
    entry = _trail()[2]
    document = json.loads(canonical(GENESIS, entry))
    assert document["at"] == "2025-03-01T09:36:00.125000Z"
    assert document["previous"] == GENESIS
    assert document["details"] == {"field": "IBAN"}
    assert list(document) == sorted(document)
    # A whole second still carries its microseconds: one spelling per instant.
    on_the_second = dataclasses.replace(entry, at=entry.at.replace(microsecond=0))
    assert json.loads(canonical(GENESIS, on_the_second))["at"].endswith(":00.000000Z")


@pytest.mark.parametrize(
    ("index", "change"),
    [
        (0, {"actor": "Claire Martin <claire@example.com>"}),
        (1, {"ip": "198.51.100.8"}),
        (2, {"details": {"field": "BIC"}}),
        (2, {"details": {"field": "IBAN", "value": "x"}}),
        (3, {"at": _START + timedelta(minutes=7, microseconds=1)}),
        (3, {"action": "declined"}),
        (1, {"time_zone": "America/New_York"}),
        (1, {"time_zone": None}),
        (3, {"user_agent": ""}),
    ],
)
def test_a_changed_value_breaks_the_chain_at_its_entry(index: int, change: dict) -> None:
    entries = _trail()
    digests = chain(entries)
    entries[index] = dataclasses.replace(entries[index], **change)
    assert first_broken(entries, digests) == index


def test_a_dropped_entry_breaks_the_chain_where_it_was() -> None:
    entries = _trail()
    digests = chain(entries)
    del entries[1]
    assert first_broken(entries, digests) == 1
    # Dropped with its digest: the next entry no longer follows the one before.
    assert first_broken(entries, digests[:1] + digests[2:]) == 1


def test_the_last_entry_dropped_is_seen_from_the_digests_left() -> None:
    entries = _trail()
    digests = chain(entries)
    assert first_broken(entries[:-1], digests) == 3
    assert first_broken(entries, digests[:-1]) == 3
    # Cut with its digest, the chain holds: only the printed head tells.
    assert first_broken(entries[:-1], digests[:-1]) is None
    assert head(chain(entries[:-1])) != head(digests)


def test_two_swapped_entries_break_the_chain_at_the_first() -> None:
    entries = _trail()
    digests = chain(entries)
    entries[1], entries[2] = entries[2], entries[1]
    assert first_broken(entries, digests) == 1
    swapped_digests = [digests[0], digests[2], digests[1], digests[3]]
    assert first_broken(entries, swapped_digests) == 1


def test_an_inserted_entry_breaks_the_chain_where_it_went_in() -> None:
    entries = _trail()
    digests = chain(entries)
    entries.insert(2, TrailEntry(_START + timedelta(minutes=6), "viewed", "mallory"))
    assert first_broken(entries, digests) == 2


def test_values_in_any_script_are_hashed_exactly() -> None:
    names = ["Zoë Ångström", "محمد الأحمد", "דוד כהן", "山田太郎", "김민준", "李小龍", "😀"]
    entries = [
        TrailEntry(_START, "field_completed", name, details={"champ": name, name: "é"})
        for name in names
    ]
    digests = chain(entries)
    assert first_broken(entries, digests) == None  # noqa: E711
    canonical_bytes = canonical(GENESIS, entries[1])
    assert canonical_bytes.isascii()
    assert json.loads(canonical_bytes)["actor"] == "محمد الأحمد"
    # Composed and decomposed spellings of the same letter are different bytes.
    decomposed = dataclasses.replace(entries[0], actor="Zoe\u0308 Ångström")
    assert entry_digest(GENESIS, decomposed) != digests[0]


def test_an_entry_must_be_timezone_aware_and_have_string_details() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        TrailEntry(datetime(2025, 3, 1, 9, 30), "sent")
    with pytest.raises(TypeError):
        TrailEntry(_START, "sent", details={"attempt": 2})  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        entry_digest("abc", _trail()[0])


def test_an_entry_keeps_its_own_copy_of_the_details() -> None:
    details = {"field": "IBAN"}
    entry = TrailEntry(_START, "field_completed", details=details)
    digest = entry_digest(GENESIS, entry)
    details["field"] = "BIC"
    assert entry.details == {"field": "IBAN"}
    assert entry_digest(GENESIS, entry) == digest
    with pytest.raises(TypeError):
        entry.details["field"] = "BIC"  # type: ignore[index]
