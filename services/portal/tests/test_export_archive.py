"""The archive of a client's export, built from the services' parts (``exports.archive``):
pure, no database, no store."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest

from portico.kit.client_exports import build_part
from portico.portal.exports.archive import InvalidPart, build_archive, readme

REQUESTED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def part(service: str, files: list[tuple[str, bytes]] | None = None) -> io.BytesIO:
    made = io.BytesIO()
    build_part(
        service=service,
        export_id="e1",
        client_id="c1",
        tables={"rows": [{"id": 1, "service": service}]},
        files=[(path, io.BytesIO(content)) for path, content in files or []],
        into=made,
    )
    made.seek(0)
    return made


def archive_of(parts: dict[str, io.BytesIO], text: str) -> bytes:
    made = io.BytesIO()
    build_archive(parts, text, made)
    return made.getvalue()


def entries(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def test_each_part_goes_under_its_service_with_a_readme_first() -> None:
    text = readme(
        client_name="Atelier Lumière",
        export_id="e1",
        requested_at=REQUESTED,
        services=["portal", "quotes"],
        missing=[],
    )
    archive = archive_of(
        {"quotes": part("quotes", [("quotes/q1/D-1.pdf", b"%PDF-q")]), "portal": part("portal")},
        text,
    )
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.namelist()[0] == "README.txt"
    found = entries(archive)
    assert set(found) == {
        "README.txt",
        "portal/data.json",
        "quotes/data.json",
        "quotes/files/quotes/q1/D-1.pdf",
    }
    assert found["quotes/files/quotes/q1/D-1.pdf"] == b"%PDF-q"
    assert json.loads(found["portal/data.json"])["tables"]["rows"] == [
        {"id": 1, "service": "portal"}
    ]


def test_the_readme_says_what_is_inside_in_french_and_english_and_what_is_missing() -> None:
    text = readme(
        client_name="Atelier Lumière",
        export_id="e1",
        requested_at=REQUESTED,
        services=["portal", "documents"],
        missing=["notifier"],
    )
    assert "Client : Atelier Lumière" in text and "Client: Atelier Lumière" in text
    assert "RGPD" in text and "GDPR" in text
    assert "- documents/ : les documents demandés" in text
    assert "- documents/: the documents requested" in text
    assert "n’ont pas répondu, leurs données manquent : notifier" in text
    assert "did not answer, their data is missing: notifier" in text
    assert "2026-11-25 10:00 UTC" in text


def test_the_same_parts_make_the_same_archive() -> None:
    def parts() -> dict[str, io.BytesIO]:
        return {"portal": part("portal", [("a.pdf", b"a")]), "signing": part("signing")}

    assert archive_of(parts(), "readme") == archive_of(dict(reversed(parts().items())), "readme")


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/passwd", "files\\..\\x"])
def test_a_part_holding_a_path_out_of_its_folder_is_refused(name: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, b"x")
    with pytest.raises(InvalidPart, match="leaves its folder"):
        archive_of({"quotes": io.BytesIO(buffer.getvalue())}, "readme")


def test_a_part_that_is_no_zip_is_refused() -> None:
    with pytest.raises(InvalidPart, match="not a zip"):
        archive_of({"quotes": io.BytesIO(b"not a zip")}, "readme")
