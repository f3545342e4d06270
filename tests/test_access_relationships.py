"""A guardian's (and a student's) token reaches only their own child in every service
that exists, and the region's tokens reach no child at all (identity issue 7, 11): every
operation of every service's OpenAPI document is called with every identifier of
another family — the child's file in contingent, its account in identity, its guardian,
its group, its enrolment order — and must refuse; whatever any of these tokens *may*
read carries none of that family's identifiers or names (and, for the region, no
child's at all)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from edureg_devstack.system import PASSWORD, System, org_spec
from edureg_devstack.testing.plugin import eventually

SERVICES = ("identity", "contingent", "schedule", "journal", "reporting")
PUBLIC = {
    "/api/v1/auth/token",
    "/api/v1/auth/refresh",
    "/api/v1/auth/logout",
    "/.well-known/jwks.json",
    "/.well-known/openid-configuration",
}


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, item in openapi["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
        and not path.startswith("/health")
        and path not in PUBLIC
    ]


async def _enrol(
    c: httpx.AsyncClient, group: str, number: str, child: str, parent: str
) -> dict[str, Any]:
    r = await c.post(
        "/api/v1/orders/enrolment",
        json={
            "number": number,
            "order_date": "2026-09-01",
            "effective_date": "2026-09-01",
            "group_id": group,
            "students": [
                {
                    "surname": child,
                    "name": "Олег",
                    "birth_date": "2015-02-02",
                    "sex": "m",
                    "guardians": [{"surname": parent, "name": "Анна", "relation": "mother"}],
                }
            ],
        },
    )
    assert r.status_code == 201, r.text
    order = (await c.post(f"/api/v1/orders/{r.json()['id']}/sign")).json()
    student_id = order["items"][0]["student_id"]
    file = (await c.get(f"/api/v1/students/{student_id}")).json()
    return {
        "order": order["id"],
        "student": student_id,
        "guardian": file["guardians"][0]["id"],
        "group": group,
        "surname": child,
    }


async def _signed_in(system: System, admin: dict[str, str], account: dict[str, Any]) -> Any:
    """The account's own full token: a slip, then the forced password change."""
    async with httpx.AsyncClient(base_url=system.url("identity")) as c:
        slip = (await c.post(f"/api/v1/accounts/{account['id']}/credentials", headers=admin)).json()
        first = await c.post(
            "/api/v1/auth/token", json={"login": slip["login"], "password": slip["password"]}
        )
        changed = await c.post(
            "/api/v1/me/password",
            json={"current_password": slip["password"], "new_password": PASSWORD},
            headers={"Authorization": f"Bearer {first.json()['access_token']}"},
        )
        assert changed.status_code == 200, changed.text
        return {"Authorization": f"Bearer {changed.json()['access_token']}"}


@pytest.fixture(scope="module")
async def families(system: System) -> dict[str, Any]:
    ministry = {
        **org_spec("relmin"),
        "kind": "ministry",
        "staff": [
            {
                "login": f"region.{role}.rel",
                "password": PASSWORD,
                "surname": "Регионова",
                "name": "Вера",
                "positions": [role],
            }
            for role in ("regional_admin", "regional_monitor")
        ],
    }
    system.seed({"organisations": [org_spec("rel"), ministry]})
    admin = await system.login("admin.rel")
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        groups = [
            (
                await c.post(
                    "/api/v1/groups",
                    json={"name": name, "grade": 4, "academic_year": "2026/2027"},
                )
            ).json()["id"]
            for name in ("4А", "4Б")
        ]
        ours = await _enrol(c, groups[0], "R-1", "Своев", "Своева")
        theirs = await _enrol(c, groups[1], "R-2", "Чужов", "Чужова")
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:

        async def accounts() -> dict[str, Any]:
            r = await c.get("/api/v1/accounts", params={"limit": 200})
            return {a["person_id"]: a for a in r.json()["items"] if a["person_id"]}

        found = await eventually(
            accounts,
            until=lambda a: {ours["guardian"], theirs["student"], theirs["guardian"]} <= set(a),
            message="both families' accounts",
        )
    for family in (ours, theirs):
        family["student_account"] = found[family["student"]]["id"]
        family["guardian_account"] = found[family["guardian"]]["id"]
        family["logins"] = [found[family[k]]["login"] for k in ("student", "guardian")]
    return {
        "ours": ours,
        "theirs": theirs,
        "tokens": {
            "guardian": await _signed_in(system, admin, found[ours["guardian"]]),
            "student": await _signed_in(system, admin, found[ours["student"]]),
            "regional monitor": await system.login("region.regional_monitor.rel"),
            "regional admin": await system.login("region.regional_admin.rel"),
        },
    }


def _markers(family: dict[str, Any]) -> list[str]:
    ids = ("student", "guardian", "group", "order", "student_account", "guardian_account")
    return [family[k] for k in ids] + [family["surname"], *family["logins"]]


@pytest.mark.parametrize("who", ["guardian", "student", "regional monitor", "regional admin"])
async def test_a_token_reaches_no_other_family_in_any_service(
    system: System, families: dict[str, Any], who: str
) -> None:
    token = families["tokens"][who]
    theirs = families["theirs"]
    regional = who.startswith("regional")
    # Nothing of the other family; for the region, nothing of any child.
    forbidden = _markers(theirs) + (_markers(families["ours"]) if regional else [])
    candidates = [v for v in _markers(theirs) if re.fullmatch(r"[0-9a-f-]{36}", v)]
    calls = readable = 0
    for name in SERVICES:
        async with httpx.AsyncClient(base_url=system.url(name), headers=token, timeout=30) as c:
            openapi = (await c.get("/openapi.json")).json()
            for method, path in _operations(openapi):
                urls = (
                    [re.sub(r"\{[^}]+\}", value, path) for value in candidates]
                    if "{" in path
                    else [path]
                )
                for url in urls:
                    r = await c.request(method, url, json={} if method != "GET" else None)
                    calls += 1
                    where = f"{who}: {name} {method} {url} → {r.status_code}"
                    assert r.status_code < 500, where
                    if "{" in path:
                        # Another family's object: refused, whichever id is tried.
                        assert r.status_code in (400, 403, 404, 422), f"{where} {r.text}"
                    elif 200 <= r.status_code < 300:
                        readable += 1
                        leaked = [m for m in forbidden if m in r.text]
                        assert not leaked, f"{where} shows {leaked}"
    assert calls > 100
    assert readable >= 1  # the sweep did read something (/me at least)


async def test_a_guardian_sees_their_own_child(system: System, families: dict[str, Any]) -> None:
    """The sweep's refusals are about the relationship, not a token that reaches nothing."""
    ours = families["ours"]
    async with httpx.AsyncClient(
        base_url=system.url("identity"), headers=families["tokens"]["guardian"]
    ) as c:
        children = (await c.get("/api/v1/me/children")).json()["items"]
    assert [ch["id"] for ch in children] == [ours["student_account"]]
    assert children[0]["full_name"].startswith("Своев")
