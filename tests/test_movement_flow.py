"""The movement book across real processes, only through the HTTP APIs: a transfer, an
academic leave and its return, a graduation and a cancelled order reach journal's
rosters (dated, the past kept) and identity's accounts (the group followed, accounts
closed at graduation and opened again when the graduation is cancelled)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text

from edureg_devstack.system import System
from edureg_devstack.testing.plugin import eventually
from edureg_shared.db import Database, create_engine

from .test_enrolment_flow import _accounts, _roster, _sign, person


@pytest.fixture(scope="module")
async def org(system: System) -> dict[str, Any]:
    tenants = system.seed_organisations("moves")
    return {"tenant_id": tenants["moves"], "admin": await system.login("admin.moves")}


async def _group(c: httpx.AsyncClient, admin: dict[str, str], name: str, grade: int) -> str:
    r = await c.post(
        "/api/v1/groups",
        headers=admin,
        json={"name": name, "grade": grade, "academic_year": "2026/2027"},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _identity_group(system: System, student_id: str) -> Any:
    db = Database(create_engine(system.databases["identity"].admin_url, pool_size=1))
    try:
        async with db.unscoped_session() as s:
            return await s.scalar(
                text("SELECT group_id::text FROM users WHERE person_id = :p AND kind = 'student'"),
                {"p": student_id},
            )
    finally:
        await db.dispose()


def _names(members: list[dict[str, Any]]) -> list[str]:
    return [m["display_name"] for m in members]


async def test_movements_reach_rosters_and_accounts(system: System, org: dict[str, Any]) -> None:
    admin = org["admin"]
    async with httpx.AsyncClient(base_url=system.url("contingent")) as c:
        nine_a = await _group(c, admin, "9А", 9)
        nine_b = await _group(c, admin, "9Б", 9)
        order = await _sign(
            c,
            admin,
            "/api/v1/orders/enrolment",
            {
                "number": "1-к",
                "order_date": "2026-09-01",
                "effective_date": "2026-09-01",
                "group_id": nine_a,
                "students": [
                    person(
                        "Зуев",
                        "Глеб",
                        guardians=[{"surname": "Зуева", "name": "Нина", "relation": "mother"}],
                    ),
                    person(
                        "Лебедев",
                        "Марк",
                        guardians=[{"surname": "Лебедев", "name": "Юрий", "relation": "father"}],
                    ),
                ],
            },
        )
        files = {
            (await c.get(f"/api/v1/students/{i['student_id']}", headers=admin)).json()[
                "surname"
            ]: i["student_id"]
            for i in order["items"]
        }
        zuev, lebedev = files["Зуев"], files["Лебедев"]
        await eventually(
            lambda: _roster(system, admin, nine_a, "2026-09-02"),
            until=lambda m: len(m) == 2,
            message="both in 9А",
        )
        await eventually(
            lambda: _accounts(system, admin, kind="student", person_id=zuev),
            until=lambda a: len(a) == 1,
            message="Зуев's account",
        )

        async def movement(kind: str, number: str, on: str, **fields: Any) -> dict[str, Any]:
            body = {"kind": kind, "number": number, "order_date": on, "effective_date": on}
            return await _sign(c, admin, "/api/v1/orders/movement", {**body, **fields})

        transfer = await movement(
            "transfer", "2-д", "2026-10-01", to_group_id=nine_b, student_ids=[zuev]
        )
        await movement(
            "academic_leave",
            "3-д",
            "2026-11-01",
            leave_until="2027-03-01",
            student_ids=[lebedev],
        )
        await movement("leave_return", "4-д", "2027-03-01", student_ids=[lebedev])

    # journal: Зуев in 9А until the transfer, in 9Б from it; Лебедев out during leave.
    await eventually(
        lambda: _roster(system, admin, nine_b, "2026-10-01"),
        until=lambda m: _names(m) == ["Зуев Глеб"],
        message="Зуев in 9Б from the transfer",
    )
    assert _names(await _roster(system, admin, nine_a, "2026-09-30")) == [
        "Зуев Глеб",
        "Лебедев Марк",
    ]
    await eventually(
        lambda: _roster(system, admin, nine_a, "2027-03-01"),
        until=lambda m: _names(m) == ["Лебедев Марк"],
        message="Лебедев back after leave",
    )
    assert _names(await _roster(system, admin, nine_a, "2026-12-01")) == []
    # identity: Зуев's account follows him to 9Б (and to its curator).
    await eventually(
        lambda: _identity_group(system, zuev),
        until=lambda g: g == nine_b,
        message="Зуев's account in 9Б",
    )

    # The transfer cancelled: Зуев back in 9А from the start, 9Б's membership void.
    async with httpx.AsyncClient(base_url=system.url("contingent")) as c:
        await _sign(
            c,
            admin,
            "/api/v1/orders/movement",
            {
                "kind": "cancellation",
                "number": "5-д",
                "order_date": "2027-03-02",
                "effective_date": "2027-03-02",
                "cancelled_order_id": transfer["id"],
            },
        )
    await eventually(
        lambda: _roster(system, admin, nine_b, "2026-10-01"),
        until=lambda m: m == [],
        message="9Б's membership void",
    )
    assert _names(await _roster(system, admin, nine_a, "2027-03-02")) == [
        "Зуев Глеб",
        "Лебедев Марк",
    ]
    await eventually(
        lambda: _identity_group(system, zuev),
        until=lambda g: g == nine_a,
        message="Зуев's account back in 9А",
    )

    # Graduation: accounts closed (the mother with no other child too); cancelled: open.
    async with httpx.AsyncClient(base_url=system.url("contingent")) as c:
        graduation = await _sign(
            c,
            admin,
            "/api/v1/orders/movement",
            {
                "kind": "graduation",
                "number": "6-в",
                "order_date": "2027-06-25",
                "effective_date": "2027-06-25",
                "group_id": nine_a,
            },
        )
    accounts = await eventually(
        lambda: _accounts(system, admin, kind="student"),
        until=lambda a: {x["person_id"] for x in a if not x["active"]} >= {zuev, lebedev},
        message="graduates' accounts closed",
    )
    assert _names(await _roster(system, admin, nine_a, "2027-06-25")) == []
    async with httpx.AsyncClient(base_url=system.url("contingent")) as c:
        await _sign(
            c,
            admin,
            "/api/v1/orders/movement",
            {
                "kind": "cancellation",
                "number": "7-д",
                "order_date": "2027-06-26",
                "effective_date": "2027-06-26",
                "cancelled_order_id": graduation["id"],
            },
        )
    await eventually(
        lambda: _accounts(system, admin, kind="student"),
        until=lambda a: {x["person_id"] for x in a if x["active"]} >= {zuev, lebedev},
        message="accounts open again after the graduation is cancelled",
    )
    mother = await _accounts(system, admin, kind="guardian")
    assert all(g["active"] for g in mother)
    assert _names(await _roster(system, admin, nine_a, "2027-06-25")) == [
        "Зуев Глеб",
        "Лебедев Марк",
    ]
    assert accounts
