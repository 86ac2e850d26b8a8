"""The archive of a client's export, built from the services' parts: no I/O but the files
it is given, each entry copied a chunk at a time.

Each part (a zip: ``data.json`` and ``files/...``) goes under its service's folder, and a
``README.txt`` in French and English says what the archive holds and which services, if
any, gave nothing.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import PurePosixPath
from typing import IO

from portico.kit.client_exports import copy_into, zip_entry

# What each service's folder holds, for the README: French, then English.
SERVICE_CONTENTS: dict[str, tuple[str, str]] = {
    "portal": (
        "la fiche du client, ses contacts, leurs accès au portail et connexions, les "
        "invitations, l’historique des modifications, les espaces de travail (notes, "
        "liens, tâches, messages, fichiers)",
        "the client's record, its contacts, their portal logins and sessions, the "
        "invitations, the history of changes, the workspaces (notes, links, tasks, "
        "messages, files)",
    ),
    "signing": (
        "les documents envoyés à signer, les signataires, leurs saisies et signatures, le "
        "journal d’audit, les PDF signés et leurs certificats",
        "the documents sent to be signed, the signers, their values and signatures, the "
        "audit trail, the signed PDFs and their certificates",
    ),
    "documents": (
        "les documents demandés et déposés, leur vérification et leurs fichiers",
        "the documents requested and uploaded, their review and their files",
    ),
    "quotes": (
        "les devis (lignes, historique, consultations, signature), leurs PDF et pièces "
        "jointes, les factures et commandes",
        "the quotes (lines, history, views, signature), their PDFs and attachments, the "
        "invoices and orders",
    ),
    "notifier": (
        "les messages envoyés aux contacts (e-mail, SMS) et leurs tentatives d’envoi",
        "the messages sent to the contacts (email, SMS) and their delivery attempts",
    ),
}


class InvalidPart(ValueError):
    """A part that is not a zip, or holds a path that would leave its folder."""


def readme(
    *,
    client_name: str,
    export_id: str,
    requested_at: datetime,
    services: Sequence[str],
    missing: Sequence[str],
) -> str:
    when = requested_at.strftime("%Y-%m-%d %H:%M UTC")
    fr = [
        "Export des données personnelles (droit d’accès, article 15 du RGPD)",
        "",
        f"Client : {client_name}",
        f"Export : {export_id}, demandé le {when}",
        "",
        "Chaque dossier contient ce qu’un service de Portico détient sur ce client :",
        "data.json (toutes les lignes le concernant ; dates au format ISO 8601, montants "
        "en texte décimal) et files/ (tous ses fichiers).",
        "",
    ]
    en = [
        "Export of personal data (right of access, GDPR article 15)",
        "",
        f"Client: {client_name}",
        f"Export: {export_id}, requested on {when}",
        "",
        "Each folder holds what one Portico service keeps about this client: data.json "
        "(every row about them; dates in ISO 8601, amounts as decimal text) and files/ "
        "(every file of theirs).",
        "",
    ]
    for service in services:
        french, english = SERVICE_CONTENTS.get(service, (service, service))
        fr.append(f"- {service}/ : {french}")
        en.append(f"- {service}/: {english}")
    if missing:
        names = ", ".join(missing)
        fr += ["", f"Attention : ces services n’ont pas répondu, leurs données manquent : {names}"]
        en += ["", f"Warning: these services did not answer, their data is missing: {names}"]
    return "\n".join([*fr, "", "-" * 72, "", *en, ""])


def build_archive(parts: Mapping[str, IO[bytes]], readme_text: str, into: IO[bytes]) -> None:
    """One zip written into ``into``: ``README.txt``, then each part's entries under
    ``<service>/``."""
    with zipfile.ZipFile(into, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zip_entry("README.txt"), readme_text.encode("utf-8"))
        for service, part in sorted(parts.items()):
            _copy_part(archive, service, part)


def _copy_part(archive: zipfile.ZipFile, service: str, part: IO[bytes]) -> None:
    try:
        with zipfile.ZipFile(part) as opened:
            for info in opened.infolist():
                if info.is_dir():
                    continue
                path = PurePosixPath(info.filename)
                if path.is_absolute() or ".." in path.parts or "\\" in info.filename:
                    raise InvalidPart(f"{service}: {info.filename!r} leaves its folder")
                with opened.open(info) as entry:
                    copy_into(archive, f"{service}/{path}", entry)
    except zipfile.BadZipFile as error:
        raise InvalidPart(f"{service}: its part is not a zip") from error
