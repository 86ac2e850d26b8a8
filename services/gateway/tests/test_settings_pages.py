"""The settings pages: each saves through its form with the effect visible in the APIs,
invalid input is said beside its field, and admin pages do not exist for other staff."""

from __future__ import annotations

import html
import re

import pytest

from portico.gateway.testing import PASSWORD, Accounts, Site
from portico.kit.testing.services import RunningPortico

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

ADMIN_PAGES = (
    "/settings/organisation",
    "/settings/staff",
    "/settings/staff/new",
    "/settings/api-keys",
    "/settings/api-keys/new",
    "/settings/templates",
    "/settings/templates/client_invited/en",
    "/settings/templates/client_invited/en/preview",
)
# The smallest PNG: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082"
)
SECRET = re.compile(r'id="api-key-secret"[^>]*value="([^"]+)"')


async def test_an_admin_sees_every_settings_page(site: Site, accounts: Accounts) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    home = await site.get("/settings")
    assert home.status_code == 200
    for path in (
        "/settings/profile",
        "/settings/notifications",
        "/settings/organisation",
        "/settings/staff",
        "/settings/api-keys",
        "/settings/templates",
    ):
        assert f'href="{path}"' in home.text
    for path in ADMIN_PAGES:
        page = await site.get(path)
        assert page.status_code == 200, (path, page.text[:500])
    organisation = await site.get("/settings/organisation")
    assert '<a href="/settings/organisation" aria-current="page">Organisation</a>' in (
        organisation.text
    )
    assert " style=" not in organisation.text and "<script>" not in organisation.text


async def test_other_staff_get_the_not_found_page_for_admin_settings(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    home = await site.get("/settings")
    assert 'href="/settings/profile"' in home.text
    assert 'href="/settings/notifications"' in home.text
    assert 'href="/settings/organisation"' not in home.text
    assert 'href="/settings/api-keys"' not in home.text
    for path in ADMIN_PAGES:
        page = await site.get(path)
        assert page.status_code == 404, path
        assert "Page not found" in page.text
    refused = await site.post("/settings/organisation", {"name": "Taken over"})
    assert refused.status_code == 404
    keys = await site.post("/settings/api-keys", {"name": "Mine", "scopes": ["clients:read"]})
    assert keys.status_code == 404
    organisation = await portico.http.get("/api/portal/v1/organisation")
    assert organisation.json()["name"] != "Taken over"


async def test_my_profile_is_saved_and_the_pages_follow_my_language(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    page = await site.get("/settings/profile")
    assert 'value="Léa"' in page.text
    assert '<label for="field-phone">Mobile phone' in page.text

    empty = await site.post(
        "/settings/profile",
        {"first_name": " ", "last_name": "Martin", "phone": "", "locale": "en"},
    )
    assert empty.status_code == 422
    assert 'aria-invalid="true" aria-describedby="error-first_name"' in empty.text
    assert "This field is required." in empty.text

    saved = await site.post(
        "/settings/profile",
        {"first_name": "Inès", "last_name": "Moreau", "phone": "+33 6 11 22 33 44", "locale": "fr"},
    )
    assert saved.headers["location"] == "/settings/profile"
    shown = await site.follow(saved)
    assert '<html lang="fr">' in shown.text
    assert 'value="Inès"' in shown.text
    user = await portico.http.get(
        f"/api/portal/v1/staff/{staff['id']}", headers=portico.headers("admin")
    )
    assert user.json() | {"first_name": "Inès", "phone": "+33 6 11 22 33 44", "locale": "fr"} == (
        user.json()
    )
    assert user.json()["last_name"] == "Moreau"


async def test_changing_my_password_says_what_is_wrong_beside_each_field(
    site: Site, accounts: Accounts
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    new_password = "another-long-passphrase-42"

    wrong = await site.post(
        "/settings/profile/password",
        {
            "current_password": "not-my-password",
            "new_password": new_password,
            "confirm_password": new_password,
        },
    )
    assert wrong.status_code == 422
    assert 'aria-describedby="error-current_password"' in wrong.text
    assert "This is not your current password." in wrong.text

    differ = await site.post(
        "/settings/profile/password",
        {
            "current_password": PASSWORD,
            "new_password": new_password,
            "confirm_password": "something-else",
        },
    )
    assert differ.status_code == 422
    assert 'aria-describedby="error-confirm_password"' in differ.text

    weak = await site.post(
        "/settings/profile/password",
        {"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
    )
    assert weak.status_code == 422
    assert 'aria-describedby="error-new_password"' in weak.text
    assert "This password is too weak" in weak.text

    changed = await site.post(
        "/settings/profile/password",
        {
            "current_password": PASSWORD,
            "new_password": new_password,
            "confirm_password": new_password,
        },
    )
    assert changed.headers["location"] == "/settings/profile"
    assert "Your password is changed." in (await site.follow(changed)).text
    await site.post("/logout")
    await site.get("/login")
    refused = await site.post("/login", {"email": staff["email"], "password": PASSWORD})
    assert refused.status_code == 422
    await site.log_in(staff["email"], new_password)


async def test_my_notification_preferences_are_saved_by_one_form(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    page = await site.get("/settings/notifications")
    assert page.status_code == 200
    # Each checkbox is named for a screen reader: its channel and its event.
    assert (
        '<label class="visually-hidden" for="pref-quote_viewed-email">'
        "Email — The client opened a quote</label>"
    ) in page.text
    assert "your profile has none" in page.text

    api = f"/api/notifier/v1/preferences/users/{staff['id']}"
    before = (await portico.http.get(api, headers=portico.headers("admin"))).json()
    form: dict[str, str] = {}
    for preference in before:
        for channel in ("email", "sms", "in_app"):
            if preference[channel]:
                form[f"{preference['kind']}.{channel}"] = "on"
    # Quotes viewed: in the app only, and signed quotes by SMS too.
    form.pop("quote_viewed.email", None)
    form["quote_viewed.in_app"] = "on"
    form["quote_signed.sms"] = "on"
    saved = await site.post("/settings/notifications", form)
    assert saved.headers["location"] == "/settings/notifications"
    assert "Your notification preferences are saved." in (await site.follow(saved)).text

    after = {
        preference["kind"]: preference
        for preference in (await portico.http.get(api, headers=portico.headers("admin"))).json()
    }
    assert (after["quote_viewed"]["email"], after["quote_viewed"]["in_app"]) == (False, True)
    assert after["quote_signed"]["sms"] is True
    assert after["quote_viewed"]["customised"] is True
    # Kinds left as they were are not stored as choices.
    unchanged = [
        preference["kind"]
        for preference in before
        if preference["kind"] not in {"quote_viewed", "quote_signed"}
    ]
    assert not any(after[kind]["customised"] for kind in unchanged)
    shown = await site.get("/settings/notifications")
    assert 'name="quote_viewed.email" value="on">' in shown.text
    assert 'name="quote_signed.sms" value="on" checked>' in shown.text


async def test_a_clients_files_and_tasks_done_are_listed_in_the_readers_language(
    site: Site, accounts: Accounts
) -> None:
    for locale, labels in (
        ("en", ["A client adds a file to a workspace", "A client completes a workspace task"]),
        (
            "fr",
            [
                "Un client ajoute un fichier dans un espace de travail",
                "Un client termine une tâche d’un espace de travail",
            ],
        ),
    ):
        staff = await accounts.staff("staff", locale=locale)
        await site.log_in(staff["email"])
        page = await site.get("/settings/notifications")
        for kind, label in zip(("file_uploaded", "task_completed"), labels, strict=True):
            assert (
                f'<label class="visually-hidden" for="pref-{kind}-in_app">'
                f"{'In the app' if locale == 'en' else 'Dans l’application'} — {label}</label>"
            ) in page.text
            assert f'name="{kind}.email" value="on" checked>' in page.text


async def test_the_organisation_is_saved_and_the_layout_shows_it_at_once(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    page = await site.get("/settings/organisation")
    assert 'type="color"' in page.text
    assert '<option value="FR" selected>France</option>' in page.text

    invalid = await site.post(
        "/settings/organisation",
        {
            "name": "",
            "brand_colour": "#2f5bea",
            "sender_email": "not-an-email",
            "sender_name": "",
            "default_locale": "en",
            "default_country": "FR",
        },
    )
    assert invalid.status_code == 422
    assert 'aria-describedby="error-name"' in invalid.text
    assert 'aria-describedby="error-sender_email"' in invalid.text
    assert 'value="not-an-email"' in invalid.text

    saved = await site.post(
        "/settings/organisation",
        {
            "name": "Studio Nouveau",
            "brand_colour": "#0f766e",
            "sender_email": "bonjour@nouveau.example",
            "sender_name": "L’équipe Nouveau",
            "default_locale": "fr",
            "default_country": "BE",
        },
    )
    assert saved.headers["location"] == "/settings/organisation"
    shown = await site.follow(saved)
    assert '<span class="brand-name">Studio Nouveau</span>' in shown.text
    assert "The organisation&#39;s settings are saved." in shown.text
    assert '<option value="BE" selected>' in shown.text
    organisation = (await portico.http.get("/api/portal/v1/organisation")).json()
    assert (
        organisation
        | {
            "name": "Studio Nouveau",
            "brand_colour": "#0f766e",
            "sender_email": "bonjour@nouveau.example",
            "sender_name": "L’équipe Nouveau",
            "default_locale": "fr",
            "default_country": "BE",
        }
        == organisation
    )
    assert "--brand: #0f766e" in (await site.get("/brand.css")).text


async def test_the_logo_is_uploaded_and_shown(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    assert "No logo yet" in (await site.get("/settings/organisation")).text

    wrong = await site.post(
        "/settings/organisation/logo", files={"logo": ("logo.txt", b"hello", "text/plain")}
    )
    assert wrong.status_code == 422
    assert 'aria-describedby="error-logo"' in wrong.text
    assert "Choose a PNG, JPEG or WebP image." in wrong.text
    large = await site.post(
        "/settings/organisation/logo",
        files={"logo": ("logo.png", b"0" * (2 * 1024 * 1024 + 1), "image/png")},
    )
    assert large.status_code == 422
    assert "This image is larger than 2 MiB." in large.text
    # The portal looks inside: a page declared as an image is refused in the same words.
    page = await site.post(
        "/settings/organisation/logo",
        files={"logo": ("logo.png", b"<html><script>alert(1)</script>", "image/png")},
    )
    assert page.status_code == 422
    assert "Choose a PNG, JPEG or WebP image." in page.text
    # The pixel's header claiming 5000 x 1 pixels (and its checksum).
    wide = PNG[:16] + bytes.fromhex("0000138800000001080600000032114488") + PNG[33:]
    bomb = await site.post(
        "/settings/organisation/logo", files={"logo": ("logo.png", wide, "image/png")}
    )
    assert bomb.status_code == 422
    assert "This image is larger than 4096 × 4096 pixels." in bomb.text

    uploaded = await site.post(
        "/settings/organisation/logo", files={"logo": ("logo.png", PNG, "image/png")}
    )
    assert uploaded.headers["location"] == "/settings/organisation"
    shown = await site.follow(uploaded)
    logo_url = (await portico.http.get("/api/portal/v1/organisation")).json()["logo_url"]
    assert logo_url
    assert f'<img class="brand-logo" src="{logo_url}" alt="">' in shown.text
    assert f'<img src="{logo_url}" alt="The current logo">' in shown.text
    # Stored as the portal encoded it again: a PNG still, of the same pixel.
    served = await portico.http.get(logo_url)
    assert served.headers["content-type"] == "image/png"
    assert served.content.startswith(PNG[:24])


async def test_an_admin_adds_and_manages_staff_users(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    listed = await site.get("/settings/staff")
    assert admin["email"] in listed.text and "(you)" in listed.text

    values = {
        "first_name": "Hugo",
        "last_name": "Petit",
        "email": "hugo@studio.example",
        "phone": "",
        "role": "staff",
        "locale": "fr",
    }
    created = await site.post("/settings/staff", values)
    assert created.headers["location"] == "/settings/staff"
    shown = await site.follow(created)
    assert "Hugo Petit is added" in shown.text
    assert "hugo@studio.example" in shown.text
    users = (await portico.http.get("/api/portal/v1/staff", headers=portico.headers())).json()
    [hugo] = [user for user in users if user["email"] == "hugo@studio.example"]
    assert (hugo["role"], hugo["locale"], hugo["active"]) == ("staff", "fr", True)

    again = await site.post("/settings/staff", values)
    assert again.status_code == 422
    assert 'aria-describedby="error-email"' in again.text
    assert "A staff user already has this email." in again.text

    promoted = await site.post(f"/settings/staff/{hugo['id']}/role", {"role": "admin"})
    assert promoted.headers["location"] == "/settings/staff"
    api = f"/api/portal/v1/staff/{hugo['id']}"
    assert (await portico.http.get(api, headers=portico.headers())).json()["role"] == "admin"

    page = await site.get("/settings/staff")
    assert f'action="/settings/staff/{hugo["id"]}/deactivate"' in page.text
    assert 'data-confirm="Deactivate Hugo Petit?' in page.text
    deactivated = await site.post(f"/settings/staff/{hugo['id']}/deactivate")
    assert deactivated.headers["location"] == "/settings/staff"
    assert (await portico.http.get(api, headers=portico.headers())).json()["active"] is False
    assert "Deactivated" in (await site.follow(deactivated)).text
    reactivated = await site.post(f"/settings/staff/{hugo['id']}/reactivate")
    assert reactivated.status_code == 303
    assert (await portico.http.get(api, headers=portico.headers())).json()["active"] is True

    # Portico keeps an administrator: the last one cannot step down.
    await site.post(f"/settings/staff/{hugo['id']}/role", {"role": "staff"})
    users = (await portico.http.get("/api/portal/v1/staff", headers=portico.headers())).json()
    for user in users:
        if user["role"] == "admin" and user["id"] != admin["id"]:
            assert (await site.post(f"/settings/staff/{user['id']}/deactivate")).status_code == 303
    refused = await site.post(f"/settings/staff/{admin['id']}/role", {"role": "staff"})
    assert refused.status_code == 422
    assert "Portico needs at least one active administrator" in refused.text
    mine = f"/api/portal/v1/staff/{admin['id']}"
    assert (await portico.http.get(mine, headers=portico.headers())).json()["role"] == "admin"


async def test_an_api_key_secret_is_shown_once(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    assert "No API key yet" in (await site.get("/settings/api-keys")).text
    form = await site.get("/settings/api-keys/new")
    assert 'name="scopes" value="documents:write"' in form.text

    none_chosen = await site.post("/settings/api-keys", {"name": "ERP sync"})
    assert none_chosen.status_code == 422
    assert "Choose at least one permission." in none_chosen.text
    assert 'value="ERP sync"' in none_chosen.text

    created = await site.post(
        "/settings/api-keys", {"name": "ERP sync", "scopes": ["clients:read", "documents:write"]}
    )
    assert created.status_code == 200
    assert "location" not in created.headers
    assert created.headers["cache-control"] == "no-store"
    assert "Copy it now: it won't be shown again." in created.text
    found = SECRET.search(created.text)
    assert found
    secret = html.unescape(found.group(1))
    [key] = (await portico.http.get("/api/portal/v1/api-keys", headers=portico.headers())).json()
    assert key["name"] == "ERP sync"
    assert key["scopes"] == ["clients:read", "documents:write"]
    assert secret.startswith(key["prefix"]) and len(secret) > len(key["prefix"]) + 10
    assert secret not in created.headers.get("set-cookie", "")

    listed = await site.get("/settings/api-keys")
    assert "ERP sync" in listed.text and key["prefix"] in listed.text
    assert secret not in listed.text

    revoked = await site.post(f"/settings/api-keys/{key['id']}/revoke")
    assert revoked.headers["location"] == "/settings/api-keys"
    after = await site.follow(revoked)
    assert "The API key is revoked" in after.text and secret not in after.text
    [key] = (await portico.http.get("/api/portal/v1/api-keys", headers=portico.headers())).json()
    assert key["revoked_at"] is not None


async def test_email_templates_are_checked_previewed_saved_and_reset(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    listed = await site.get("/settings/templates")
    assert "A contact is invited to the client portal" in listed.text
    assert 'href="/settings/templates/client_invited/fr"' in listed.text

    address = "/settings/templates/client_invited/en"
    page = await site.get(address)
    assert "{{ accept_url }}" in page.text
    assert (
        f'<iframe class="email-frame" name="template-preview" src="{address}/preview" '
        'sandbox="allow-popups allow-popups-to-escape-sandbox"'
    ) in page.text
    api = "/api/notifier/v1/templates/client_invited/en"
    default = (await portico.http.get(api, headers=portico.headers())).json()

    # A body that drops the accept link, a text that does not compile: refused, said beside.
    broken = await site.post(
        address,
        {
            "subject": "Join us",
            "html": "<p>Hello {{ recipient.name }}</p>",
            "text": "Hello\n{% if %}\n{{ accept_url }}",
        },
    )
    assert broken.status_code == 422
    assert 'aria-describedby="error-html"' in broken.text
    assert "Keep {{ accept_url }}: it is the link this message is for." in broken.text
    assert 'aria-describedby="error-text"' in broken.text
    assert re.search(r'id="error-text">Line 2: ', broken.text)
    assert "&lt;p&gt;Hello {{ recipient.name }}&lt;/p&gt;" in broken.text
    assert (await portico.http.get(api, headers=portico.headers())).json()["customised"] is False

    # The preview: the saved template with sample data, as its own sandboxed document.
    preview = await site.get(f"{address}/preview")
    assert preview.status_code == 200
    policy = preview.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src * data:")
    assert "script-src" not in policy and "frame-ancestors 'self'" in policy
    assert preview.headers["x-frame-options"] == "SAMEORIGIN"
    assert "Camille Durand" in preview.text and "Accept the invitation" in preview.text

    draft = {
        "subject": "Welcome, {{ recipient.name }}",
        "html": '<p>Dear {{ recipient.name }}, <a href="{{ accept_url }}">come in</a>.</p>',
        "text": "Dear {{ recipient.name }}: {{ accept_url }}",
    }
    previewed = await site.post(f"{address}/preview", draft)
    assert previewed.status_code == 200
    assert "Dear Camille Durand" in previewed.text and "come in" in previewed.text
    assert previewed.headers["content-security-policy"] == policy
    refused = await site.post(f"{address}/preview", {**draft, "html": "<p>{% endif %}</p>"})
    assert refused.status_code == 422
    assert "The template cannot be previewed" in refused.text
    assert refused.headers["content-security-policy"] == policy

    saved = await site.post(address, draft)
    assert saved.headers["location"] == address
    edited = await site.follow(saved)
    assert "The template is saved" in edited.text
    assert "Reset to the default" in edited.text and "data-confirm=" in edited.text
    stored = (await portico.http.get(api, headers=portico.headers())).json()
    assert (stored["customised"], stored["subject"]) == (True, draft["subject"])
    assert "Dear Camille Durand" in (await site.get(f"{address}/preview")).text

    reset = await site.post(f"{address}/reset")
    assert reset.headers["location"] == address
    stored = (await portico.http.get(api, headers=portico.headers())).json()
    assert (stored["customised"], stored["subject"]) == (False, default["subject"])
