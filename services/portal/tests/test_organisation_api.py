"""The organisation's settings: read by anyone, changed by admins, OrganisationUpdated."""

from __future__ import annotations

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
    assert (served.status_code, served.content) == (200, PNG)
    assert served.headers["content-type"] == "image/png"
    [envelope] = await portico.events.wait_for(OrganisationUpdated.event_type)
    event = envelope.event()
    assert isinstance(event, OrganisationUpdated)
    assert event.logo_key == "organisation/logo.png"
    assert str(event.logo_url).endswith("/api/portal/v1/organisation/logo")


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
