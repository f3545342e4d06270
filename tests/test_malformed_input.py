"""No endpoint of any service answers 500 to malformed input: every operation in every
service's OpenAPI document is called with broken ids, bodies and query values, by a
signed-in administrator, and must answer a 4xx problem+json."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from edureg_devstack.system import System
from edureg_devstack.testing.examples import date_paths, example, present, with_value

BROKEN_BODIES: list[bytes] = [
    b"{not json",
    b"[]",
    b"null",
    b'{"x": ' + b"9" * 5000 + b"}",
    b'{"name": "\\ud800"}',
]


@pytest.fixture(scope="module")
async def admin(system: System) -> dict[str, str]:
    system.seed_organisations("fuzz")
    return await system.login("admin.fuzz")


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in openapi["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


async def test_every_operation_rejects_malformed_input_without_a_500(
    system: System, admin: dict[str, str]
) -> None:
    checked = 0
    for name in ("identity", "contingent", "schedule", "journal", "reporting"):
        async with httpx.AsyncClient(base_url=system.url(name), headers=admin, timeout=30) as c:
            openapi = (await c.get("/openapi.json")).json()
            for method, path, op in _operations(openapi):
                if path.startswith("/health"):
                    continue
                url = re.sub(r"\{[^}]+\}", "not-a-uuid", path)
                queries = {
                    p["name"]: "%%garbage%%"
                    for p in op.get("parameters", [])
                    if p.get("in") == "query"
                }
                attempts = [c.request(method, url, params=queries)]
                if "requestBody" in op:
                    attempts += [
                        c.request(
                            method, url, content=body, headers={"content-type": "application/json"}
                        )
                        for body in BROKEN_BODIES
                    ]
                for attempt in attempts:
                    r = await attempt
                    checked += 1
                    assert r.status_code < 500, f"{name} {method} {path}: {r.status_code} {r.text}"
                    if r.status_code >= 400:
                        assert r.headers["content-type"].startswith("application/problem+json"), (
                            f"{name} {method} {path}"
                        )
    assert checked > 40


async def test_a_one_time_password_token_opens_no_endpoint_but_the_password_change(
    system: System, admin: dict[str, str]
) -> None:
    """Every operation of every service, called with the token a one-time password gives,
    answers 403 password-change-required in Russian; only the password change (and the
    public endpoints: sign-in, keys, discovery, health) do otherwise."""
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:
        teacher = next(
            a
            for a in (await c.get("/api/v1/accounts", params={"kind": "staff"})).json()["items"]
            if a["login"] == "teacher.fuzz"
        )
        slip = (await c.post(f"/api/v1/accounts/{teacher['id']}/credentials")).json()
        r = await c.post(
            "/api/v1/auth/token", json={"login": slip["login"], "password": slip["password"]}
        )
        restricted = {"Authorization": f"Bearer {r.json()['access_token']}"}
    # Sign-in, and what a refresh token (not a bearer token) authenticates.
    public = {
        "/api/v1/auth/token",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/.well-known/jwks.json",
        "/.well-known/openid-configuration",
        # A calendar feed: its secret link is the credential (revocable), no bearer token.
        "/ical/{tenant_id}/{secret}.ics",
    }
    allowed = {("identity", "POST", "/api/v1/me/password")}
    checked = 0
    for name in ("identity", "contingent", "schedule", "journal", "reporting"):
        async with httpx.AsyncClient(base_url=system.url(name), headers=restricted) as c:
            openapi = (await c.get("/openapi.json")).json()
            for method, path, _ in _operations(openapi):
                if path.startswith("/health") or path in public or (name, method, path) in allowed:
                    continue
                url = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000001", path)
                r = await c.request(method, url, json={})
                checked += 1
                assert r.status_code == 403, f"{name} {method} {path}: {r.status_code} {r.text}"
                body = r.json()
                assert body["type"].endswith("password-change-required"), body
                assert "пароль" in body["detail"]
    assert checked > 15


async def test_every_list_is_paged_with_a_bounded_limit(system: System) -> None:
    """Every operation answering a list (a `Page`) takes `limit` (at most 200) and
    `offset`; a larger limit is a 422, never a long answer."""
    lists = 0
    for name in ("identity", "contingent", "schedule", "journal", "reporting"):
        async with httpx.AsyncClient(base_url=system.url(name)) as c:
            openapi = (await c.get("/openapi.json")).json()
        schemas = openapi.get("components", {}).get("schemas", {})
        for method, path, op in _operations(openapi):
            ok = op.get("responses", {}).get("200", {}).get("content", {})
            ref = ok.get("application/json", {}).get("schema", {}).get("$ref", "")
            schema = schemas.get(ref.rsplit("/", 1)[-1], {})
            if not {"items", "total", "next_offset"} <= set(schema.get("properties", {})):
                continue
            lists += 1
            params = {p["name"]: p for p in op.get("parameters", [])}
            assert {"limit", "offset"} <= set(params), f"{name} {method} {path}"
            assert params["limit"]["schema"]["maximum"] <= 200, f"{name} {path}"
    assert lists >= 9


BOUNDARY_DATES = ["2028-02-29", "2026-12-31", "0001-01-01", "9999-12-31", "2027-02-29"]


async def test_boundary_dates_in_every_date_field_never_500(
    system: System, admin: dict[str, str]
) -> None:
    """Every date field of every request body and query, in an otherwise plausible
    request, given 29 February, 31 December, year 1, year 9999 and a 29 February that
    does not exist: a 2xx or a 4xx problem+json, never a 500."""
    checked = 0
    for name in ("identity", "contingent", "schedule", "journal", "reporting"):
        async with httpx.AsyncClient(base_url=system.url(name), headers=admin, timeout=30) as c:
            openapi = (await c.get("/openapi.json")).json()
            defs = openapi.get("components", {}).get("schemas", {})
            for method, path, op in _operations(openapi):
                url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
                params = op.get("parameters", [])
                query = {
                    p["name"]: example(p["schema"], defs)
                    for p in params
                    if p.get("in") == "query" and p.get("required")
                }
                body_schema = (
                    op.get("requestBody", {}).get("content", {}).get("application/json", {})
                ).get("schema")
                body = example(body_schema, defs, full=False) if body_schema else None
                attempts: list[tuple[dict[str, Any], Any]] = []
                for p in params:
                    if p.get("in") == "query" and "date" in str(p.get("schema")):
                        attempts += [({**query, p["name"]: d}, body) for d in BOUNDARY_DATES]
                if body_schema:
                    for where in filter(lambda w: present(body, w), date_paths(body_schema, defs)):
                        attempts += [(query, with_value(body, where, d)) for d in BOUNDARY_DATES]
                for q, b in attempts:
                    r = await c.request(method, url, params=q, json=b)
                    checked += 1
                    assert r.status_code < 500, f"{name} {method} {path} {q} {b}: {r.text}"
                    if r.status_code >= 400:
                        assert r.headers["content-type"].startswith("application/problem+json")
    assert checked >= 40
