"""Admins edit, preview and reset message templates; a broken one is refused."""

from __future__ import annotations

from portico.kit.testing.services import RunningPortico

TEMPLATES = "/api/notifier/v1/templates"


async def test_an_admin_edits_previews_and_resets_a_template(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    kinds = (await portico.http.get(TEMPLATES, headers=admin)).json()
    assert {"client_invited", "password_reset", "message_posted"} <= {k["kind"] for k in kinds}
    default = (await portico.http.get(f"{TEMPLATES}/client_invited/en", headers=admin)).json()
    assert default["customised"] is False
    assert "{{ accept_url }}" in default["html"]

    edited = {
        "subject": "Welcome to {{ organisation.name }}",
        "html": "<p>Hi {{ recipient.name }}</p><p><a href='{{ accept_url }}'>Join</a></p>",
        "text": "Hi {{ recipient.name }}, join: {{ accept_url }}",
    }
    saved = await portico.http.put(f"{TEMPLATES}/client_invited/en", json=edited, headers=admin)
    assert saved.status_code == 200, saved.text
    assert saved.json()["customised"] is True
    preview = (
        await portico.http.post(f"{TEMPLATES}/client_invited/en/preview", headers=admin)
    ).json()
    assert preview["subject"] == "Welcome to Portico"
    assert "Hi Camille Durand, join: http://127.0.0.1:8000/invitations/accept" in preview["text"]

    reset = await portico.http.delete(f"{TEMPLATES}/client_invited/en", headers=admin)
    assert reset.status_code == 204
    again = (await portico.http.get(f"{TEMPLATES}/client_invited/en", headers=admin)).json()
    assert again == default


async def test_a_template_that_drops_the_link_or_does_not_compile_is_refused(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    no_link = {
        "subject": "Welcome",
        "html": "<p>Hi {{ recipient.name }}</p>",
        "text": "Hi, join: {{ accept_url }}",
    }
    refused = await portico.http.put(f"{TEMPLATES}/client_invited/fr", json=no_link, headers=admin)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    [error] = refused.json()["errors"]
    assert error["field"] == "html" and "accept_url" in error["message"]

    broken = {**no_link, "html": "<p>Hi</p>\n<p>{{ accept_url }}</p>\n{% if %}"}
    refused = await portico.http.put(f"{TEMPLATES}/client_invited/fr", json=broken, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["message"].startswith("line 3:")

    current = (await portico.http.get(f"{TEMPLATES}/client_invited/fr", headers=admin)).json()
    assert current["customised"] is False
    staff = await portico.http.put(
        f"{TEMPLATES}/client_invited/fr", json=no_link, headers=portico.headers("staff")
    )
    assert staff.status_code == 403
    unknown = await portico.http.get(f"{TEMPLATES}/nothing/fr", headers=admin)
    assert unknown.status_code == 404


async def test_the_default_invitation_promises_only_what_the_portal_has(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    # Documents to sign and quotes come with their services; until then the invitation
    # describes the workspaces, in both languages and both parts of the email.
    for language, promised, absent in (
        ("en", "messages, files and tasks", ("sign", "quote")),
        ("fr", "messages, fichiers et tâches", ("signer", "devis")),
    ):
        default = (
            await portico.http.get(f"{TEMPLATES}/client_invited/{language}", headers=admin)
        ).json()
        for part in ("html", "text"):
            assert promised in default[part]
            assert not any(word in default[part].lower() for word in absent)
