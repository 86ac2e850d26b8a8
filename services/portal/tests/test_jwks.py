"""The portal publishes the key that verifies every access token."""

from __future__ import annotations

import jwt

from portico.kit.testing.services import RunningPortico


async def test_the_jwks_holds_the_key_that_signed_the_tokens(portico: RunningPortico) -> None:
    response = await portico.http.get("/api/portal/v1/auth/jwks")
    assert response.status_code == 200
    [key] = response.json()["keys"]
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    token = portico.token("staff")
    assert jwt.get_unverified_header(token)["kid"] == key["kid"]
    public = jwt.PyJWK(key).key
    claims = jwt.decode(token, public, algorithms=["EdDSA"], issuer="portico")
    assert claims["role"] == "staff"
