"""Prefills: a field's starting value written with the client's details, ``{{client.name}}``.

The names a prefill may use are those of the portal's client replica: ``client.<field>``,
``client.address.<part>``, ``client.attributes.<name>`` and ``contact.<field>`` (the
signer's own contact), plus ``contact.full_name``. A name the client has no value for
gives an empty text, never the braces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+(?:\.[A-Za-z0-9_-]+)+)\s*\}\}")

CLIENT_FIELDS = ("name", "kind", "legal_id", "phone", "website")
ADDRESS_PARTS = ("line1", "line2", "postal_code", "city", "region", "country")
CONTACT_FIELDS = ("first_name", "last_name", "full_name", "email", "phone", "role")
# What a completed document may write back (the portal refuses the rest: tags, notes...).
WRITABLE_CLIENT_FIELDS = ("name", "legal_id", "phone", "website")
WRITABLE_CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "role")

# What the editor's preview shows for each name, so that staff see where values go.
SAMPLE_CLIENT: dict[str, Any] = {
    "name": "Dupont & Fils SARL",
    "kind": "company",
    "legal_id": "FR 123 456 789",
    "phone": "+33 1 23 45 67 89",
    "website": "https://dupont.example",
    "address": {
        "line1": "12 rue des Lilas",
        "line2": "",
        "postal_code": "75011",
        "city": "Paris",
        "region": "",
        "country": "FR",
    },
    "attributes": {},
}
SAMPLE_CONTACT: dict[str, Any] = {
    "first_name": "Camille",
    "last_name": "Martin",
    "email": "camille.martin@dupont.example",
    "phone": "+33 6 12 34 56 78",
    "role": "Gérante",
}


def names_in(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def known_name(name: str) -> bool:
    parts = name.split(".")
    if parts[0] == "client":
        if len(parts) == 2:
            return parts[1] in CLIENT_FIELDS
        return len(parts) == 3 and (
            (parts[1] == "address" and parts[2] in ADDRESS_PARTS) or parts[1] == "attributes"
        )
    return parts[0] == "contact" and len(parts) == 2 and parts[1] in CONTACT_FIELDS


def writable(target: str) -> bool:
    """Whether a mapping's target is one the portal writes back on completion."""
    parts = target.split(".")
    if parts[0] == "client":
        if len(parts) == 2:
            return parts[1] in WRITABLE_CLIENT_FIELDS
        return len(parts) == 3 and (
            (parts[1] == "address" and parts[2] in ADDRESS_PARTS) or parts[1] == "attributes"
        )
    return parts[0] == "contact" and len(parts) == 2 and parts[1] in WRITABLE_CONTACT_FIELDS


def resolve(text: str, client: Mapping[str, Any] | None, contact: Mapping[str, Any] | None) -> str:
    def value(found: re.Match[str]) -> str:
        return _lookup(found.group(1), client or {}, contact or {})

    return PLACEHOLDER.sub(value, text)


def _lookup(name: str, client: Mapping[str, Any], contact: Mapping[str, Any]) -> str:
    parts = name.split(".")
    source: Any
    if parts[0] == "client":
        source = client
    elif parts[0] == "contact":
        source = dict(contact)
        source["full_name"] = " ".join(
            part for part in (contact.get("first_name"), contact.get("last_name")) if part
        )
    else:
        return ""
    for part in parts[1:]:
        if not isinstance(source, Mapping):
            return ""
        source = source.get(part)
    if source is None or isinstance(source, Mapping | list):
        return ""
    return str(source)
