"""Login, tokens verifiable by JWKS, lockout, credential slips, password change."""

from __future__ import annotations

import httpx
import jwt

from edureg_devstack.testing.plugin import assert_problem
from edureg_identity.config import Settings
from edureg_shared.auth import TokenVerifier, parse_jwks

from ..conftest import PASSWORD


async def test_issued_token_verifies_against_the_published_jwks(
    client: httpx.AsyncClient, tenants: dict[str, str], settings: Settings
) -> None:
    r = await client.post("/api/v1/auth/token", json={"login": "admin.a", "password": PASSWORD})
    assert r.status_code == 200
    token = r.json()["access_token"]
    jwks = (await client.get("/.well-known/jwks.json")).json()
    discovery = (await client.get("/.well-known/openid-configuration")).json()
    assert discovery["jwks_uri"].endswith("/.well-known/jwks.json")
    verifier = TokenVerifier.static(
        parse_jwks(jwks["keys"]), issuer=discovery["issuer"], audience=settings.jwt_audience
    )
    principal = await verifier.verify(token)
    assert str(principal.tenant_id) == tenants["a"]
    assert "contingent.orders.sign" in principal.permissions
    assert jwt.get_unverified_header(token)["alg"] == "RS256"


async def test_form_grant_works_like_json(
    client: httpx.AsyncClient, tenants: dict[str, str]
) -> None:
    r = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": "teacher.a", "password": PASSWORD},
    )
    assert r.status_code == 200, r.text
    me = (
        await client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}
        )
    ).json()
    assert me["login"] == "teacher.a"
    assert me["organisation"]["code"] == "a"
    assert "contingent.orders.sign" not in me["permissions"]


async def test_wrong_password_and_unknown_login_get_the_same_answer(
    client: httpx.AsyncClient, tenants: dict[str, str]
) -> None:
    wrong = assert_problem(
        await client.post("/api/v1/auth/token", json={"login": "admin.a", "password": "nope"}), 401
    )
    unknown = assert_problem(
        await client.post("/api/v1/auth/token", json={"login": "nobody", "password": "nope"}), 401
    )
    assert wrong["detail"] == unknown["detail"] == "Неверный логин или пароль"
    body = assert_problem(await client.post("/api/v1/auth/token", json={"login": ""}), 422)
    assert {e["field"] for e in body["errors"]} == {"login", "password"}


async def test_me_requires_a_token(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/me"), 401)
