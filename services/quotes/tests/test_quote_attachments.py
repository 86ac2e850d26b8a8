"""Files attached to a quote: staff upload, list, download and delete them while the quote
can change; a file is refused (naming ``file`` and the limit) when it is not a type a quote
takes, read from its content, when it is over 10 MiB, or when the quote has 20 already;
once accepted they stay as accepted. The holder of the quote's link reads them with the
online quote and downloads them, never another quote's; a client's token reaches none of
the staff's endpoints."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from PIL import Image

from portico.kit.testing.services import RunningPortico
from portico.quotes.testing import (
    ONLINE,
    QUOTES,
    field_of,
    make_client,
    make_quote,
    sent_link,
    simple_quote,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ACCEPT = {"name": "Inès Roy", "accept_terms": True, "time_zone": "Europe/Paris"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/xl/workbook.xml" ContentType="{XLSX}.main+xml"/></Types>',
        )
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def attachments_of(quote: dict[str, Any]) -> str:
    return f"{QUOTES}/{quote['id']}/attachments"


async def attach(
    portico: RunningPortico,
    quote: dict[str, Any],
    name: str,
    content: bytes,
    declared: str = "application/octet-stream",
) -> Any:
    return await portico.http.post(
        attachments_of(quote),
        files={"file": (name, content, declared)},
        headers=portico.headers("staff"),
    )


async def test_staff_attach_list_download_and_delete_files(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    staff = portico.headers("staff")
    quote = await make_quote(portico, staff, simple_quote(await make_client(portico, admin)))
    plan = await attach(portico, quote, "../plans/Plan de l'atelier.pdf", PDF, "text/html")
    assert plan.status_code == 201, plan.text
    assert plan.json()["file_name"] == "Plan de l'atelier.pdf"
    # The type is the content's, whatever the browser said.
    assert plan.json()["content_type"] == "application/pdf"
    assert plan.json()["size"] == len(PDF)
    photo = await attach(portico, quote, "façade.png", png())
    sheet = await attach(portico, quote, "métrés.xlsx", xlsx())
    note = await attach(portico, quote, "accès.txt", "Accès côté cour : code 1234\n".encode())
    assert [photo.json()["content_type"], sheet.json()["content_type"]] == ["image/png", XLSX]
    assert note.json()["content_type"] == "text/plain"

    listed = await portico.http.get(attachments_of(quote), headers=staff)
    assert listed.status_code == 200
    assert [row["file_name"] for row in listed.json()] == [
        "Plan de l'atelier.pdf",
        "façade.png",
        "métrés.xlsx",
        "accès.txt",
    ]
    downloaded = await portico.http.get(
        f"{attachments_of(quote)}/{plan.json()['id']}", headers=staff
    )
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert downloaded.headers["content-type"] == "application/pdf"
    assert "Plan de l'atelier.pdf" in downloaded.headers["content-disposition"].replace(
        "%27", "'"
    ).replace("%20", " ")

    deleted = await portico.http.delete(
        f"{attachments_of(quote)}/{photo.json()['id']}", headers=staff
    )
    assert deleted.status_code == 204
    gone = await portico.http.get(f"{attachments_of(quote)}/{photo.json()['id']}", headers=staff)
    assert gone.status_code == 404
    assert len((await portico.http.get(attachments_of(quote), headers=staff)).json()) == 3


async def test_a_file_of_another_type_or_too_large_is_refused_naming_the_limit(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    staff = portico.headers("staff")
    quote = await make_quote(portico, staff, simple_quote(await make_client(portico, admin)))
    # An HTML page named as a PDF is still an HTML page.
    page = await attach(portico, quote, "plan.pdf", b"<html><script>alert(1)</script></html>")
    assert page.status_code == 415
    assert field_of(page) == "file"
    assert "PDF" in page.json()["errors"][0]["message"]
    program = await attach(portico, quote, "setup.exe", b"MZ\x90\x00\x03" + bytes(200))
    assert program.status_code == 415
    assert field_of(program) == "file"

    huge = await attach(portico, quote, "huge.pdf", PDF + bytes(10 * 1024 * 1024))
    assert huge.status_code == 413
    assert field_of(huge) == "file"
    assert "10 MiB" in huge.json()["errors"][0]["message"]
    listed = await portico.http.get(attachments_of(quote), headers=staff)
    assert listed.json() == []


async def test_a_quote_takes_at_most_twenty_files(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    staff = portico.headers("staff")
    quote = await make_quote(portico, staff, simple_quote(await make_client(portico, admin)))
    for index in range(20):
        added = await attach(portico, quote, f"photo-{index}.png", png())
        assert added.status_code == 201, added.text
    refused = await attach(portico, quote, "photo-21.png", png())
    assert refused.status_code == 422
    assert field_of(refused) == "file"
    assert "at most 20" in refused.json()["errors"][0]["message"]
    assert len((await portico.http.get(attachments_of(quote), headers=staff)).json()) == 20


async def test_the_link_holder_reads_and_downloads_them_and_they_stay_once_accepted(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    staff = portico.headers("staff")
    client = await make_client(portico, admin)
    quote = await make_quote(portico, staff, simple_quote(client))
    plan = (await attach(portico, quote, "plan.pdf", PDF)).json()
    other = await make_quote(portico, staff, simple_quote(client, title="Autre"))
    elsewhere = (await attach(portico, other, "ailleurs.png", png())).json()
    token = await sent_link(portico, staff, quote)

    read = await portico.http.get(f"{ONLINE}/{token}")
    assert read.status_code == 200
    assert read.json()["attachments"] == [
        {
            "id": plan["id"],
            "file_name": "plan.pdf",
            "size": len(PDF),
            "content_type": "application/pdf",
        }
    ]
    downloaded = await portico.http.get(f"{ONLINE}/{token}/attachments/{plan['id']}")
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert "plan.pdf" in downloaded.headers["content-disposition"]
    # Another quote's attachment is not found through this link.
    another = await portico.http.get(f"{ONLINE}/{token}/attachments/{elsewhere['id']}")
    assert another.status_code == 404

    accepted = await portico.http.post(f"{ONLINE}/{token}/accept", json=ACCEPT)
    assert accepted.status_code == 200, accepted.text
    late = await attach(portico, quote, "late.pdf", PDF)
    assert late.status_code == 409
    assert "accepted" in late.json()["detail"]
    removed = await portico.http.delete(f"{attachments_of(quote)}/{plan['id']}", headers=staff)
    assert removed.status_code == 409
    assert len((await portico.http.get(attachments_of(quote), headers=staff)).json()) == 1
    still = await portico.http.get(f"{ONLINE}/{token}/attachments/{plan['id']}")
    assert still.status_code == 200


async def test_a_client_reaches_none_of_the_staff_endpoints(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    staff = portico.headers("staff")
    client = await make_client(portico, admin)
    quote = await make_quote(portico, staff, simple_quote(client))
    plan = (await attach(portico, quote, "plan.pdf", PDF)).json()
    theirs = portico.headers(
        "client", client_id=client["id"], contact_id=client["contacts"][0]["id"]
    )
    one = f"{attachments_of(quote)}/{plan['id']}"
    assert (await portico.http.get(attachments_of(quote), headers=theirs)).status_code == 403
    assert (await portico.http.get(one, headers=theirs)).status_code == 403
    assert (await portico.http.delete(one, headers=theirs)).status_code == 403
    uploaded = await portico.http.post(
        attachments_of(quote), files={"file": ("x.pdf", PDF, "application/pdf")}, headers=theirs
    )
    assert uploaded.status_code == 403
    assert len((await portico.http.get(attachments_of(quote), headers=staff)).json()) == 1
