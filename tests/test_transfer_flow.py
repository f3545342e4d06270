"""A student transferred from one organisation to another keeps their sign-in (the
contingent issue's item 5, the identity issue's item 5): school A expels by transfer
to school B, B accepts by an enrolment order, the student's new account in B signs in
with the login and password they had in A, the organisation chosen at sign-in; A's
account is disabled, its past kept. Across real processes, through HTTP only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from edureg_devstack.system import PASSWORD, System
from edureg_devstack.testing.plugin import eventually

from .test_guardians_across_organisations import _enrol, _token


@pytest.fixture(scope="module")
async def region(system: System) -> dict[str, Any]:
    tenants = system.seed_organisations("tr1", "tr2")
    return {
        "tenants": tenants,
        "admin1": await system.login("admin.tr1"),
        "admin2": await system.login("admin.tr2"),
    }


async def _students(system: System, admin: dict[str, str]) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:
        r = await c.get("/api/v1/accounts", params={"kind": "student", "limit": 200})
        return list(r.json()["items"])


async def test_a_transferred_student_keeps_their_sign_in(
    system: System, region: dict[str, Any]
) -> None:
    admin1, admin2, tenants = region["admin1"], region["admin2"], region["tenants"]
    pupil = {
        "surname": "Переводов",
        "name": "Семён",
        "birth_date": "2013-02-02",
        "sex": "m",
        "guardians": [{"surname": "Переводова", "name": "Анна", "relation": "mother"}],
    }
    [sid] = await _enrol(system, admin1, "tr1", pupil)
    [account1] = await eventually(lambda: _students(system, admin1), message="the account in A")
    # The student signs in at A once (a slip, then their own password).
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin1) as c:
        slip = (await c.post(f"/api/v1/accounts/{account1['id']}/credentials")).json()
    first = await _token(system, slip["login"], slip["password"])
    async with httpx.AsyncClient(base_url=system.url("identity")) as c:
        changed = await c.post(
            "/api/v1/me/password",
            json={"current_password": slip["password"], "new_password": PASSWORD},
            headers={"Authorization": f"Bearer {first.json()['access_token']}"},
        )
        assert changed.status_code == 200, changed.text

    # A knows B from the region's registry (identity's event), and expels by transfer.
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin1) as c:
        await eventually(
            lambda: c.get("/api/v1/organisations", params={"limit": 200}),
            until=lambda r: tenants["tr2"] in {o["id"] for o in r.json()["items"]},
            message="B in A's list of the region's organisations",
        )
        r = await c.post(
            "/api/v1/orders/expulsion",
            json={
                "number": "tr-out",
                "order_date": "2026-11-20",
                "effective_date": "2026-11-20",
                "reason_code": "transfer",
                "student_ids": [sid],
                "transfer_to_organisation_id": tenants["tr2"],
                "file_consent": True,
            },
        )
        assert r.status_code == 201, r.text
        assert (await c.post(f"/api/v1/orders/{r.json()['id']}/sign")).status_code == 200

    # B accepts: a group, an enrolment order drafted from the request, signed.
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin2) as c:
        group = (
            await c.post(
                "/api/v1/groups", json={"name": "8А", "grade": 8, "academic_year": "2026/2027"}
            )
        ).json()
        [request] = (await c.get("/api/v1/transfers/incoming")).json()["items"]
        r = await c.post(
            f"/api/v1/transfers/incoming/{request['id']}/enrolment",
            json={
                "number": "tr-in",
                "order_date": "2026-11-23",
                "effective_date": "2026-11-23",
                "group_id": group["id"],
            },
        )
        assert r.status_code == 201, r.text
        assert (await c.post(f"/api/v1/orders/{r.json()['id']}/sign")).status_code == 200

    [account2] = await eventually(lambda: _students(system, admin2), message="the account in B")
    assert account2["login"] == account1["login"]  # the same login
    await eventually(
        lambda: _students(system, admin1),
        until=lambda a: not a[0]["active"],
        message="the account in A disabled",
    )
    # The student signs in with their password: A's account is disabled, so B's it is.
    token = await _token(system, account1["login"], PASSWORD)
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=headers) as c:
        me = (await c.get("/api/v1/me")).json()
    assert me["organisation"]["id"] == tenants["tr2"]
    # B prints no slip for an account that already signs in.
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin2) as c:
        assert (await c.post(f"/api/v1/accounts/{account2['id']}/credentials")).status_code == 409
    # A's request shows accepted.
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin1) as c:
        outgoing = (await c.get("/api/v1/transfers/outgoing")).json()["items"]
    assert [o["status"] for o in outgoing] == ["accepted"]
