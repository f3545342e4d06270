"""Staff hired and dismissed by orders get and lose their accounts (the identity issue's
item 5, the contingent issue's item 4): the HR specialist's hiring order in contingent
opens a staff account in identity with a teacher's position, the administrator hands
out the slip, the teacher signs in; the dismissal order closes the account and its
sign-ins. Across real processes, through HTTP only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from edureg_devstack.system import PASSWORD, System
from edureg_devstack.testing.plugin import eventually

from .test_guardians_across_organisations import _token


@pytest.fixture(scope="module")
async def org(system: System) -> dict[str, Any]:
    system.seed_organisations("hr1")
    return {"admin": await system.login("admin.hr1")}


async def _staff(system: System, admin: dict[str, str], person: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:
        r = await c.get("/api/v1/accounts", params={"kind": "staff", "limit": 200})
        return [a for a in r.json()["items"] if a.get("person_id") == person]


async def _sign(c: httpx.AsyncClient, kind: str, number: str, employee: str) -> None:
    r = await c.post(
        "/api/v1/orders/staff",
        json={
            "kind": kind,
            "number": number,
            "order_date": "2026-09-01",
            "effective_date": "2026-09-01",
            "employee_ids": [employee],
            "position_code": "teacher",
        },
    )
    assert r.status_code == 201, r.text
    assert (await c.post(f"/api/v1/orders/{r.json()['id']}/sign")).status_code == 200


async def test_a_hired_teacher_signs_in_until_dismissed(
    system: System, org: dict[str, Any]
) -> None:
    admin = org["admin"]
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        r = await c.post("/api/v1/employees", json={"surname": "Новикова", "name": "Вера"})
        employee = r.json()["id"]
        await _sign(c, "hiring", "к-1", employee)
    [account] = await eventually(
        lambda: _staff(system, admin, employee), message="the teacher's staff account"
    )
    assert account["login"].startswith("novikova")
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:
        positions = (await c.get(f"/api/v1/accounts/{account['id']}/positions")).json()
        slip = (await c.post(f"/api/v1/accounts/{account['id']}/credentials")).json()
    assert "teacher" in {p["code"] for p in positions}
    first = await _token(system, slip["login"], slip["password"])
    async with httpx.AsyncClient(base_url=system.url("identity")) as c:
        changed = await c.post(
            "/api/v1/me/password",
            json={"current_password": slip["password"], "new_password": PASSWORD},
            headers={"Authorization": f"Bearer {first.json()['access_token']}"},
        )
        assert changed.status_code == 200, changed.text
    signed_in = await _token(system, slip["login"], PASSWORD)
    assert signed_in.status_code == 200, signed_in.text
    headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=headers) as c:
        me = (await c.get("/api/v1/me")).json()
    assert "journal.rosters.read" in me["permissions"]  # a teacher's rights
    assert "identity.positions.manage" not in me["permissions"]

    # The administrator makes her a deputy director too.
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:
        catalogue = (await c.get("/api/v1/positions")).json()
        deputy = next(p["id"] for p in catalogue["items"] if p["code"] == "deputy_director")
        r = await c.put(
            f"/api/v1/accounts/{account['id']}/positions",
            json={"position_ids": [p["id"] for p in positions] + [deputy]},
        )
        assert r.status_code == 200, r.text

    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        await _sign(c, "dismissal", "к-2", employee)
    await eventually(
        lambda: _staff(system, admin, employee),
        until=lambda a: not a[0]["active"],
        message="the dismissed teacher's account disabled",
    )
    assert (await _token(system, slip["login"], PASSWORD)).status_code == 401

    # Taken on again by a new hiring order: as new — a teacher, a fresh slip needed.
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        await _sign(c, "hiring", "к-3", employee)
    await eventually(
        lambda: _staff(system, admin, employee),
        until=lambda a: a[0]["active"],
        message="the account open again",
    )
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:
        again = (await c.get(f"/api/v1/accounts/{account['id']}/positions")).json()
    assert {p["code"] for p in again} == {"teacher"}  # the deputy's rights did not come back
    assert (await _token(system, slip["login"], PASSWORD)).status_code == 401  # nor the password
