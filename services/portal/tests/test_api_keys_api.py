"""API keys: shown once, stored hashed, scoped, exchanged for access tokens, revocable."""

from __future__ import annotations

from portico.kit.testing.services import RunningPortico


async def create_key(portico: RunningPortico, admin: dict[str, str], scopes: list[str]) -> dict:
    created = await portico.http.post(
        "/api/portal/v1/api-keys", json={"name": "ERP sync", "scopes": scopes}, headers=admin
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


async def exchange(portico: RunningPortico, key: str) -> dict[str, str]:
    response = await portico.http.post("/api/portal/v1/auth/token", json={"api_key": key})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_a_key_is_shown_once_and_listed_without_its_secret(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    created = await create_key(portico, admin, ["clients:read", "events:read"])
    assert created["key"].startswith("ptk_") and len(created["key"]) > 40
    assert created["key"].startswith(created["prefix"])
    listed = (await portico.http.get("/api/portal/v1/api-keys", headers=admin)).json()
    assert [key["id"] for key in listed] == [created["id"]]
    assert "key" not in listed[0]
    assert listed[0]["scopes"] == ["clients:read", "events:read"]
    assert listed[0]["last_used_at"] is None

    await exchange(portico, created["key"])
    listed = (await portico.http.get("/api/portal/v1/api-keys", headers=admin)).json()
    assert listed[0]["last_used_at"] is not None


async def test_a_key_does_what_its_scopes_allow_and_nothing_else(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    reader = await exchange(portico, (await create_key(portico, admin, ["clients:read"]))["key"])
    assert (await portico.http.get("/api/portal/v1/clients", headers=reader)).status_code == 200
    refused = await portico.http.post(
        "/api/portal/v1/clients", json={"name": "Nope"}, headers=reader
    )
    assert refused.status_code == 403
    assert "clients:write" in refused.json()["detail"]
    staff_api = await portico.http.get("/api/portal/v1/staff", headers=reader)
    assert staff_api.status_code == 403

    writer = await exchange(portico, (await create_key(portico, admin, ["clients:write"]))["key"])
    created = await portico.http.post(
        "/api/portal/v1/clients", json={"name": "Via API"}, headers=writer
    )
    assert created.status_code == 201


async def test_a_revoked_key_gets_no_token_and_its_tokens_stop_working(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    created = await create_key(portico, admin, ["clients:read"])
    headers = await exchange(portico, created["key"])
    revoked = await portico.http.delete(f"/api/portal/v1/api-keys/{created['id']}", headers=admin)
    assert revoked.status_code == 204
    assert (await portico.http.get("/api/portal/v1/clients", headers=headers)).status_code == 401
    again = await portico.http.post("/api/portal/v1/auth/token", json={"api_key": created["key"]})
    assert again.status_code == 401


async def test_bad_key_requests_name_the_field(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    unknown_scope = await portico.http.post(
        "/api/portal/v1/api-keys", json={"name": "x", "scopes": ["root"]}, headers=admin
    )
    assert unknown_scope.status_code == 422
    assert unknown_scope.json()["errors"][0]["field"] == "scopes.0"
    staff = await portico.http.post(
        "/api/portal/v1/api-keys",
        json={"name": "x", "scopes": ["clients:read"]},
        headers=portico.headers("staff"),
    )
    assert staff.status_code == 403
    bogus = await portico.http.post("/api/portal/v1/auth/token", json={"api_key": "ptk_nope"})
    assert bogus.status_code == 401
