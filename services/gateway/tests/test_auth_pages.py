"""Logging in and out through the pages: session cookie, CSRF, languages, invitations."""

from __future__ import annotations

import pytest

from portico.contracts.events.portal import ClientInvited, PasswordResetRequested
from portico.gateway.settings import SECRET_FILE
from portico.gateway.testing import PASSWORD, Accounts, Site
from portico.gateway.web.session import COOKIE, SessionCodec, WebSession
from portico.kit.testing.services import RunningPortico

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")


async def test_staff_log_in_and_out(site: Site, accounts: Accounts) -> None:
    admin = await accounts.staff("admin")
    assert (await site.get("/")).headers["location"] == "/login"

    login = await site.get("/login")
    assert '<label for="field-email">Email' in login.text
    assert '<label for="field-password">Password' in login.text

    response = await site.log_in(admin["email"])
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    dashboard = await site.get("/")
    assert dashboard.status_code == 200
    assert "Hello, Léa" in dashboard.text

    out = await site.post("/logout")
    assert out.headers["location"] == "/login"
    assert (await site.get("/")).headers["location"] == "/login"


async def test_wrong_password_is_said_beside_the_form(site: Site, accounts: Accounts) -> None:
    admin = await accounts.staff("admin")
    await site.get("/login")
    response = await site.post("/login", {"email": admin["email"], "password": "wrong-one"})
    assert response.status_code == 422
    assert "The email or the password is incorrect." in response.text
    assert f'value="{admin["email"]}"' in response.text

    invalid = await site.post("/login", {"email": "not-an-email", "password": "x"})
    assert invalid.status_code == 422
    assert 'aria-invalid="true" aria-describedby="error-email"' in invalid.text


async def test_a_form_without_its_csrf_token_is_refused(site: Site, accounts: Accounts) -> None:
    admin = await accounts.staff("admin")
    await site.get("/login")
    forged = await site.http.post(
        "/login", data={"email": admin["email"], "password": PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    assert "This form has expired" in forged.text
    assert (await site.get("/")).headers["location"] == "/login"
    # An HTMX request carries it in a header instead.
    await site.log_in(admin["email"])
    refused = await site.http.post("/notifications/read-all")
    assert refused.status_code == 403
    accepted = await site.http.post(
        "/notifications/read-all", headers={"X-CSRF-Token": site.csrf, "HX-Request": "true"}
    )
    assert accepted.status_code == 303


async def test_pages_carry_a_strict_content_security_policy(site: Site) -> None:
    page = await site.get("/login")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in page.text and " style=" not in page.text
    assert page.headers["x-frame-options"] == "DENY"


async def test_language_from_the_browser_then_from_the_switch(site: Site) -> None:
    french = await site.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr">' in french.text
    assert '<label for="field-email">E-mail' in french.text
    assert '<label for="field-password">Mot de passe' in french.text

    switched = await site.post("/language", {"locale": "en", "next": "/login"})
    assert switched.headers["location"] == "/login"
    english = await site.get("/login", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in english.text


async def test_a_contact_accepts_an_invitation_and_lands_in_the_portal(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    client = await accounts.client_with_contact(locale="fr")
    contact = client["contacts"][0]
    path = f"/api/portal/v1/clients/{client['id']}/contacts/{contact['id']}/invitation"
    await portico.http.post(path, headers=portico.headers("admin"))
    invited = await portico.events.wait_for(ClientInvited.event_type, subject=str(client["id"]))
    link = str(invited[-1].data["accept_url"])
    accept_path = link.split("127.0.0.1:8000", 1)[1] if "127.0.0.1:8000" in link else link

    # The contact's language, as recorded, until they choose another.
    first = await site.get(accept_path)
    page = await site.follow(first) if first.status_code == 303 else first
    assert "Bienvenue, Camille" in page.text
    # The rules come before any error, in the contact's language.
    assert "Au moins 10 caractères, et difficile à deviner" in page.text
    token = accept_path.split("token=")[1]

    weak = await site.post("/invitations/accept", {"token": token, "password": "short"})
    assert weak.status_code == 422
    assert "trop faible" in weak.text
    common = await site.post("/invitations/accept", {"token": token, "password": "password12"})
    assert common.status_code == 422
    assert "trop facile à deviner" in common.text

    accepted = await site.post("/invitations/accept", {"token": token, "password": PASSWORD})
    assert accepted.headers["location"] == "/portal"
    home = await site.follow(accepted)
    assert home.status_code == 200
    assert "Bonjour, Camille" in home.text

    # The link works once.
    again = await site.get(accept_path)
    assert again.status_code == 410


async def test_a_client_opening_a_staff_page_is_offered_another_login(
    site: Site, accounts: Accounts
) -> None:
    client = await accounts.client_with_contact()
    email = await accounts.client_account(client)
    await site.log_in(email)
    staff_page = await site.get("/clients")
    assert staff_page.headers["location"] == "/login?next=%2Fclients"
    login = await site.get(staff_page.headers["location"])
    assert login.status_code == 200
    assert "Please log in with an account that can open this page." in login.text
    assert (await site.get("/login")).headers["location"] == "/portal"


def _session_of(site: Site, portico: RunningPortico) -> tuple[SessionCodec, WebSession]:
    secret = (portico.host.settings.data_dir / SECRET_FILE).read_text()
    codec = SessionCodec(secret, 3600)
    [cookie] = [cookie for cookie in site.http.cookies.jar if cookie.name == COOKIE]
    return codec, codec.loads(cookie.value)


async def test_an_expiring_access_token_is_refreshed_quietly(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    codec, session = _session_of(site, portico)
    # As if the access token were about to expire: the next page refreshes it first.
    session.expires_at = 0
    [cookie] = [cookie for cookie in site.http.cookies.jar if cookie.name == COOKIE]
    site.http.cookies.set(COOKIE, codec.dumps(session), domain=cookie.domain, path=cookie.path)
    page = await site.get("/")
    assert page.status_code == 200 and "Hello, Léa" in page.text
    _, renewed = _session_of(site, portico)
    assert renewed.refresh != session.refresh and renewed.expires_at > 0
    # Replayed at once (another tab refreshing too), the old token gets the same new pair:
    # both hold the one session.
    replayed = await portico.http.post(
        "/api/portal/v1/auth/refresh", json={"refresh_token": session.refresh}
    )
    assert replayed.status_code == 200
    assert replayed.json()["refresh_token"] == renewed.refresh


async def test_logging_out_ends_the_session_on_the_portal(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    _, session = _session_of(site, portico)
    await site.post("/logout")
    refreshed = await portico.http.post(
        "/api/portal/v1/auth/refresh", json={"refresh_token": session.refresh}
    )
    assert refreshed.status_code == 401
    _, after = _session_of(site, portico)
    assert after.access is None and after.refresh is None


async def test_accepting_an_invitation_ends_the_session_open_in_the_browser(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    """A shared computer: whoever was logged in is logged out on the portal too, not only
    replaced in the cookie, when someone accepts an invitation there."""
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    _, before = _session_of(site, portico)
    client = await accounts.client_with_contact()
    contact = client["contacts"][0]
    path = f"/api/portal/v1/clients/{client['id']}/contacts/{contact['id']}/invitation"
    await portico.http.post(path, headers=portico.headers("admin"))
    invited = await portico.events.wait_for(ClientInvited.event_type, subject=str(client["id"]))
    token = str(invited[-1].data["accept_url"]).split("token=")[1]

    accepted = await site.post("/invitations/accept", {"token": token, "password": PASSWORD})
    assert accepted.headers["location"] == "/portal"
    refreshed = await portico.http.post(
        "/api/portal/v1/auth/refresh", json={"refresh_token": before.refresh}
    )
    assert refreshed.status_code == 401
    _, after = _session_of(site, portico)
    assert after.role == "client"


async def test_a_forgotten_password_is_reset_from_the_emailed_link(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    client = await accounts.client_with_contact()
    email = await accounts.client_account(client)
    asked = await site.post("/password/forgot", {"email": email})
    assert "If an account uses" in asked.text
    [requested] = await portico.events.wait_for(PasswordResetRequested.event_type)
    link = str(requested.data["reset_url"])
    token = link.split("token=")[1]
    page = await site.get(f"/password/reset?token={token}")
    assert '<label for="field-password">New password' in page.text

    weak = await site.post("/password/reset", {"token": token, "password": "short"})
    assert weak.status_code == 422 and "too weak" in weak.text
    done = await site.post(
        "/password/reset", {"token": token, "password": "a-brand-new-passphrase"}
    )
    assert done.headers["location"] == "/login"
    await site.log_in(email, "a-brand-new-passphrase")
    assert (await site.get("/")).headers["location"] == "/portal"

    spent = await site.post("/password/reset", {"token": token, "password": "another-passphrase-1"})
    assert spent.status_code == 422 and "expired or was already used" in spent.text


async def test_a_hand_edited_address_gets_a_page_not_json(site: Site, accounts: Accounts) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    wrong = await site.get("/notifications?offset=-1")
    assert wrong.status_code == 422
    assert wrong.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in wrong.text
