"""Two requests racing for the same unique thing: one wins, the other gets a 409 naming
the field (the database decides; shared/problems.py turns its refusal into the answer)."""

from __future__ import annotations

import asyncio

import httpx

from edureg_devstack.testing.plugin import assert_problem

from .helpers import make_group, student


async def _both(*requests: object) -> list[httpx.Response]:
    return list(await asyncio.gather(*requests))  # type: ignore[call-overload]


async def test_the_same_group_created_twice_at_once(
    client: httpx.AsyncClient, admin_a: dict[str, str]
) -> None:
    body = {"name": "6Г", "grade": 6, "academic_year": "2026/2027"}
    answers = await _both(
        *(client.post("/api/v1/groups", headers=admin_a, json=body) for _ in range(4))
    )
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409]
    for r in answers:
        if r.status_code == 409:
            problem = assert_problem(r, 409)
            assert {e["field"] for e in problem["errors"]} == {"academic_year", "name"}
            assert "6Г" not in r.text  # the values are not repeated
    groups = (await client.get("/api/v1/groups", headers=admin_a)).json()["items"]
    assert [g["name"] for g in groups] == ["6Г"]


async def test_the_same_order_number_drafted_twice_at_once(
    client: httpx.AsyncClient, admin_a: dict[str, str]
) -> None:
    group_id = await make_group(client, admin_a)
    body = {
        "number": "44-к",
        "order_date": "2026-09-01",
        "effective_date": "2026-09-01",
        "group_id": group_id,
        "students": [student()],
    }
    answers = await _both(
        *(client.post("/api/v1/orders/enrolment", headers=admin_a, json=body) for _ in range(3))
    )
    assert sorted(r.status_code for r in answers) == [201, 409, 409]
    for r in answers:
        if r.status_code == 409:
            assert {e["field"] for e in assert_problem(r, 409)["errors"]} == {"number"}


async def test_an_order_signed_twice_at_once_is_signed_once(
    client: httpx.AsyncClient, admin_a: dict[str, str]
) -> None:
    group_id = await make_group(client, admin_a)
    r = await client.post(
        "/api/v1/orders/enrolment",
        headers=admin_a,
        json={
            "number": "45-к",
            "order_date": "2026-09-01",
            "effective_date": "2026-09-01",
            "group_id": group_id,
            "students": [student()],
        },
    )
    order_id = r.json()["id"]
    answers = await _both(
        *(client.post(f"/api/v1/orders/{order_id}/sign", headers=admin_a) for _ in range(3))
    )
    assert sorted(r.status_code for r in answers) == [200, 409, 409]
