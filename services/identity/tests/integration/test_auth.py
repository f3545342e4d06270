"""Login, tokens verifiable by JWKS, lockout, credential slips, password change."""

from __future__ import annotations

import httpx
import jwt

from edureg_identity.config import Settings
from edureg_shared.auth import TokenVerifier
from edureg_shared.testing.plugin import assert_problem

from ..conftest import PASSWORD, login


async def test_issued_token_verifies_against_the_published_jwks(
    client: httpx.AsyncClient, tenants: dict[str, str], settings: Settings
) -> None:
    r = await client.post("/api/v1/auth/token", json={"login": "admin.a", "password": PASSWORD})
    assert r.status_code == 200
    token = r.json()["access_token"]
    jwks = (await client.get("/.well-known/jwks.json")).json()
    discovery = (await client.get("/.well-known/openid-configuration")).json()
    assert discovery["jwks_uri"].endswith("/.well-known/jwks.json")
    verifier = TokenVerifier(
        jwks_url=discovery["jwks_uri"], issuer=discovery["issuer"], audience=settings.jwt_audience
    )
    verifier._keys = {k["kid"]: jwt.PyJWK.from_dict(k).key for k in jwks["keys"]}
    verifier._fetched_at = float("inf")
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


async def test_account_is_locked_after_too_many_failures(
    client: httpx.AsyncClient, tenants: dict[str, str]
) -> None:
    for _ in range(3):
        assert_problem(
            await client.post("/api/v1/auth/token", json={"login": "teacher.a", "password": "bad"}),
            401,
        )
    body = assert_problem(
        await client.post("/api/v1/auth/token", json={"login": "teacher.a", "password": PASSWORD}),
        423,
    )
    assert "неудачных" in body["detail"]
    # the other organisation's admin is unaffected
    await login(client, "admin.b")


async def test_me_requires_a_token(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/me"), 401)
