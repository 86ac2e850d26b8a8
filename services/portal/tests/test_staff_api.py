"""Staff users: admins manage the team; each user their own details; StaffUserChanged."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from portico.contracts.events.portal import PasswordResetRequested, StaffUserChanged
from portico.kit.testing.services import RunningPortico
from portico.portal.testing import ADMIN_EMAIL, LogIn

LEA = {
    "email": "Lea@Studio.example",
    "first_name": "Léa",
    "last_name": "Bernard",
    "phone": "+33 6 98 76 54 32",
    "locale": "fr",
    "role": "staff",
    "password": "Lea-Strong-Password-1",
}


async def test_an_admin_adds_a_staff_user_who_can_log_in(
    portico: RunningPortico, admin: dict[str, str], log_in: LogIn
) -> None:
    created = await portico.http.post("/api/portal/v1/staff", json=LEA, headers=admin)
    assert created.status_code == 201, created.text
    user = created.json()
    assert (user["email"], user["role"], user["active"]) == ("lea@studio.example", "staff", True)
    assert "password" not in user and "password_hash" not in user

    [envelope] = await portico.events.wait_for(StaffUserChanged.event_type, subject=user["id"])
    lea = envelope.event()
    assert isinstance(lea, StaffUserChanged)
    assert (lea.email, lea.phone, lea.locale, lea.role) == (
        "lea@studio.example",
        "+33 6 98 76 54 32",
        "fr",
        "staff",
    )

    tokens = await log_in("lea@studio.example", LEA["password"])
    me = await portico.http.get(
        "/api/portal/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.json()["first_name"] == "Léa"


async def test_a_staff_user_added_without_a_password_gets_a_link_to_choose_one(
    portico: RunningPortico, admin: dict[str, str], log_in: LogIn
) -> None:
    body = {**LEA, "password": None}
    created = await portico.http.post("/api/portal/v1/staff", json=body, headers=admin)
    assert created.status_code == 201, created.text
    [envelope] = await portico.events.wait_for(PasswordResetRequested.event_type)
    event = envelope.event()
    assert isinstance(event, PasswordResetRequested)
    assert (event.email, event.locale) == ("lea@studio.example", "fr")
    token = parse_qs(urlsplit(str(event.reset_url)).query)["token"][0]
    chosen = await portico.http.post(
        "/api/portal/v1/auth/password-reset/confirm",
        json={"token": token, "password": "Chosen-By-Lea-2026"},
    )
    assert chosen.status_code == 204
    await log_in("lea@studio.example", "Chosen-By-Lea-2026")


async def test_bad_staff_input_names_the_field(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    taken = await portico.http.post(
        "/api/portal/v1/staff", json={**LEA, "email": ADMIN_EMAIL}, headers=admin
    )
    assert taken.status_code == 422
    assert taken.json()["errors"][0]["field"] == "email"
    weak = await portico.http.post(
        "/api/portal/v1/staff", json={**LEA, "password": "lea"}, headers=admin
    )
    assert weak.status_code == 422
    assert {error["field"] for error in weak.json()["errors"]} == {"password"}
    role = await portico.http.post(
        "/api/portal/v1/staff", json={**LEA, "role": "owner"}, headers=admin
    )
    assert role.status_code == 422
    assert role.json()["errors"][0]["field"] == "role"
    listed = await portico.http.get("/api/portal/v1/staff", headers=admin)
    assert [user["email"] for user in listed.json()] == [ADMIN_EMAIL]


async def test_only_admins_manage_staff(portico: RunningPortico) -> None:
    response = await portico.http.post(
        "/api/portal/v1/staff", json=LEA, headers=portico.headers("staff")
    )
    assert response.status_code == 403
    client = await portico.http.get(
        "/api/portal/v1/staff",
        headers=portico.headers("client", client_id=__import__("uuid").uuid4()),
    )
    assert client.status_code == 403


async def test_deactivating_a_user_ends_their_sessions_and_logins(
    portico: RunningPortico, admin: dict[str, str], log_in: LogIn
) -> None:
    user = (await portico.http.post("/api/portal/v1/staff", json=LEA, headers=admin)).json()
    tokens = await log_in("lea@studio.example", LEA["password"])
    off = await portico.http.patch(
        f"/api/portal/v1/staff/{user['id']}", json={"active": False}, headers=admin
    )
    assert off.status_code == 200 and off.json()["active"] is False
    me = await portico.http.get(
        "/api/portal/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.status_code == 401
    refused = await portico.http.post(
        "/api/portal/v1/auth/login",
        json={"email": "lea@studio.example", "password": LEA["password"]},
    )
    assert refused.status_code == 401
    events = await portico.events.wait_for(StaffUserChanged.event_type, 2, subject=user["id"])
    assert events[-1].event().active is False  # type: ignore[attr-defined]


async def test_the_last_admin_cannot_be_demoted_or_deactivated(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    me = (await portico.http.get("/api/portal/v1/me", headers=admin)).json()
    for change in ({"role": "staff"}, {"active": False}):
        response = await portico.http.patch(
            f"/api/portal/v1/staff/{me['id']}", json=change, headers=admin
        )
        assert response.status_code == 409, response.text
    assert (await portico.http.get("/api/portal/v1/me", headers=admin)).json()["role"] == "admin"


async def test_a_user_changes_their_own_details_and_password_but_not_their_role(
    portico: RunningPortico, admin: dict[str, str], log_in: LogIn
) -> None:
    await portico.http.post("/api/portal/v1/staff", json=LEA, headers=admin)
    lea = {
        "Authorization": "Bearer "
        + (await log_in("lea@studio.example", LEA["password"]))["access_token"]
    }
    changed = await portico.http.patch(
        "/api/portal/v1/me", json={"phone": "+33 7 00 00 00 00", "role": "admin"}, headers=lea
    )
    assert changed.status_code == 200
    assert (changed.json()["phone"], changed.json()["role"]) == ("+33 7 00 00 00 00", "staff")

    wrong = await portico.http.post(
        "/api/portal/v1/me/password",
        json={"current_password": "not-it", "new_password": "Brand-New-Secret-9"},
        headers=lea,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "current_password"
    done = await portico.http.post(
        "/api/portal/v1/me/password",
        json={"current_password": LEA["password"], "new_password": "Brand-New-Secret-9"},
        headers=lea,
    )
    assert done.status_code == 204
    await log_in("lea@studio.example", "Brand-New-Secret-9")


async def test_a_staff_address_cannot_be_one_a_client_contact_logs_in_with(
    portico: RunningPortico, admin: dict[str, str], log_in: LogIn
) -> None:
    client = (
        await portico.http.post(
            "/api/portal/v1/clients",
            json={
                "name": "Atelier Lumière",
                "contacts": [
                    {
                        "first_name": "Camille",
                        "last_name": "Durand",
                        "email": "camille@lumiere.example",
                    }
                ],
            },
            headers=admin,
        )
    ).json()
    contact = client["contacts"][0]
    invited = await portico.http.post(
        f"/api/portal/v1/clients/{client['id']}/contacts/{contact['id']}/invitation",
        headers=admin,
    )
    assert invited.status_code == 201
    [envelope] = await portico.events.wait_for("portico.portal.client_invited.v1")
    token = parse_qs(urlsplit(str(envelope.event().accept_url)).query)["token"][0]  # type: ignore[attr-defined]
    accepted = await portico.http.post(
        "/api/portal/v1/invitations/accept",
        json={"token": token, "password": "Lumiere-Portal-2026!"},
    )
    assert accepted.status_code == 200, accepted.text
    user = (await portico.http.post("/api/portal/v1/staff", json=LEA, headers=admin)).json()

    # Whatever the case it is typed in.
    taken = "Camille@Lumiere.example"
    attempts = [
        await portico.http.patch("/api/portal/v1/me", json={"email": taken}, headers=admin),
        await portico.http.patch(
            f"/api/portal/v1/staff/{user['id']}", json={"email": taken}, headers=admin
        ),
        await portico.http.post(
            "/api/portal/v1/staff", json={**LEA, "email": taken}, headers=admin
        ),
    ]
    for refused in attempts:
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        [error] = refused.json()["errors"]
        assert error["field"] == "email"
        assert "client contact" in error["message"]

    # The contact still logs into the client portal, not into someone's staff account.
    tokens = await log_in("camille@lumiere.example", "Lumiere-Portal-2026!")
    account = await portico.http.get(
        "/api/portal/v1/client-account",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert account.status_code == 200
    assert (await portico.http.get("/api/portal/v1/me", headers=admin)).json()[
        "email"
    ] == ADMIN_EMAIL


async def test_a_staff_address_cannot_be_a_contact_not_yet_invited(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    # Invited later, the contact could not get an account: the address must stay theirs.
    await portico.http.post(
        "/api/portal/v1/clients",
        json={
            "name": "Atelier Lumière",
            "contacts": [
                {"first_name": "Hugo", "last_name": "Martin", "email": "hugo@lumiere.example"}
            ],
        },
        headers=admin,
    )
    refused = await portico.http.patch(
        "/api/portal/v1/me", json={"email": "hugo@lumiere.example"}, headers=admin
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "email"
