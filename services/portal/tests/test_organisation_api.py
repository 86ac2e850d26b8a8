"""The organisation's settings: read by anyone, changed by admins, OrganisationUpdated."""

from __future__ import annotations

import asyncio
import io
import os
import struct
import zlib

import pytest
from PIL import Image

from portico.contracts.events.portal import OrganisationUpdated
from portico.kit.testing.services import RunningPortico

ORGANISATION = "/api/portal/v1/organisation"
SETTINGS = {
    "name": "Studio Portico",
    "brand_colour": "#2f5bea",
    "sender_email": "bonjour@studio.example",
    "sender_name": "Studio Portico",
    "default_locale": "fr",
    "default_country": "be",
}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def test_defaults_are_public_and_an_admin_changes_them(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    defaults = await portico.http.get(ORGANISATION)
    assert defaults.status_code == 200
    assert (defaults.json()["name"], defaults.json()["logo_url"]) == ("Portico", None)

    saved = await portico.http.put(ORGANISATION, json=SETTINGS, headers=admin)
    assert saved.status_code == 200, saved.text
    assert saved.json()["default_country"] == "BE"
    assert (await portico.http.get(ORGANISATION)).json()["name"] == "Studio Portico"
    [envelope] = await portico.events.wait_for(OrganisationUpdated.event_type)
    event = envelope.event()
    assert isinstance(event, OrganisationUpdated)
    assert (event.name, event.brand_colour, event.sender_email, event.default_locale) == (
        "Studio Portico",
        "#2f5bea",
        "bonjour@studio.example",
        "fr",
    )


async def test_the_logo_is_uploaded_served_and_announced(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    uploaded = await portico.http.put(
        f"{ORGANISATION}/logo", files={"file": ("logo.png", PNG, "image/png")}, headers=admin
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["logo_url"] == "/api/portal/v1/organisation/logo"
    served = await portico.http.get(f"{ORGANISATION}/logo")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    with Image.open(io.BytesIO(served.content)) as image:
        assert (image.format, image.size) == ("PNG", (1, 1))
    [envelope] = await portico.events.wait_for(OrganisationUpdated.event_type)
    event = envelope.event()
    assert isinstance(event, OrganisationUpdated)
    assert event.logo_key == "organisation/logo.png"
    assert str(event.logo_url).endswith("/api/portal/v1/organisation/logo")


async def test_first_saves_made_at_once_are_both_kept(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    # Nothing stored yet: two logos and the settings at the same moment each find the row.
    logos = [
        portico.http.put(
            f"{ORGANISATION}/logo", files={"file": (f"{n}.png", PNG, "image/png")}, headers=admin
        )
        for n in range(8)
    ]
    answers = await asyncio.gather(
        *logos, portico.http.put(ORGANISATION, json=SETTINGS, headers=admin)
    )
    assert [answer.status_code for answer in answers] == [200] * 9, [a.text for a in answers]
    now = (await portico.http.get(ORGANISATION)).json()
    assert (now["name"], now["logo_url"]) == ("Studio Portico", f"{ORGANISATION}/logo")


async def test_bad_settings_and_logos_are_refused_naming_the_field(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    colour = await portico.http.put(
        ORGANISATION, json={**SETTINGS, "brand_colour": "blue"}, headers=admin
    )
    assert colour.status_code == 422 and colour.json()["errors"][0]["field"] == "brand_colour"
    svg = await portico.http.put(
        f"{ORGANISATION}/logo",
        files={"file": ("logo.svg", b"<svg onload='alert(1)'/>", "image/svg+xml")},
        headers=admin,
    )
    assert svg.status_code == 415 and svg.json()["errors"][0]["field"] == "file"
    huge = await portico.http.put(
        f"{ORGANISATION}/logo",
        files={"file": ("logo.png", PNG + b"\0" * (2 * 1024 * 1024), "image/png")},
        headers=admin,
    )
    assert huge.status_code == 413 and huge.json()["errors"][0]["field"] == "file"
    assert (await portico.http.get(f"{ORGANISATION}/logo")).status_code == 404
    staff = await portico.http.put(ORGANISATION, json=SETTINGS, headers=portico.headers("staff"))
    assert staff.status_code == 403
    assert (await portico.http.get(ORGANISATION)).json()["name"] == "Portico"


def noise(image_format: str, size: tuple[int, int] = (64, 64), **save: object) -> bytes:
    """A real image that does not compress away, so that a cut through it loses pixels."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    output = io.BytesIO()
    image.save(output, image_format, **save)
    return output.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """The 1 x 1 PNG with a header claiming another size: what a decompression bomb shows
    before anything is decoded."""
    header = b"IHDR" + struct.pack(">II", width, height) + PNG[24:29]
    return PNG[:12] + header + struct.pack(">I", zlib.crc32(header)) + PNG[33:]


async def upload(portico: RunningPortico, admin: dict[str, str], content: bytes, declared: str):
    return await portico.http.put(
        f"{ORGANISATION}/logo", files={"file": ("logo", content, declared)}, headers=admin
    )


@pytest.mark.backends("embedded")
async def test_a_jpeg_logo_is_served_encoded_again_without_its_metadata(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x0131] = "Photo editor"  # Software
    photo = noise("JPEG", (40, 30), exif=exif.tobytes())
    with Image.open(io.BytesIO(photo)) as image:
        assert image.getexif()

    # Declared as PNG: what is stored and served follows what the file is.
    uploaded = await upload(portico, admin, photo, "image/png")
    assert uploaded.status_code == 200, uploaded.text
    served = await portico.http.get(f"{ORGANISATION}/logo")
    assert served.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(served.content)) as image:
        assert (image.format, image.size) == ("JPEG", (40, 30))
        assert not image.getexif()
    assert b"Camera maker" not in served.content


@pytest.mark.backends("embedded")
async def test_a_file_that_is_not_a_whole_image_is_refused_and_the_logo_kept(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    assert (await upload(portico, admin, noise("PNG"), "image/png")).status_code == 200
    kept = (await portico.http.get(f"{ORGANISATION}/logo")).content

    page = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
    truncated = noise("PNG")
    truncated = truncated[: len(truncated) // 2]
    svg_as_png = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
    for content in (page, truncated, svg_as_png, gif, noise("JPEG")[:300]):
        refused = await upload(portico, admin, content, "image/png")
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        [error] = refused.json()["errors"]
        assert (error["field"], error["message"]) == ("file", "must be a PNG, JPEG or WebP image")

    for width, height in ((5000, 10), (50_000, 50_000)):
        bomb = await upload(portico, admin, png_claiming(width, height), "image/png")
        assert bomb.status_code == 422, bomb.text
        [error] = bomb.json()["errors"]
        assert (error["field"], error["message"]) == (
            "file",
            "must be at most 4096 × 4096 pixels",
        )

    served = await portico.http.get(f"{ORGANISATION}/logo")
    assert (served.status_code, served.content) == (200, kept)
