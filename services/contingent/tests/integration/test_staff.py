"""Staff in contingent: HR cards with qualification courses, hiring and dismissal orders
checked (nobody hired twice, nobody dismissed who does not work here), announced to
identity with the name it needs; an HR order gives no position beyond a teacher's; the
HR specialist's, not a curator's, another organisation's cards not found."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import nats

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.events.envelope import stream_name


async def _card(client: httpx.AsyncClient, headers: dict[str, str], surname: str) -> str:
    r = await client.post(
        "/api/v1/employees",
        headers=headers,
        json={"surname": surname, "name": "Ольга", "job_title": "учитель математики"},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _order(
    client: httpx.AsyncClient, headers: dict[str, str], kind: str, ids: list[str], **extra: Any
) -> httpx.Response:
    return await client.post(
        "/api/v1/orders/staff",
        headers=headers,
        json={
            "kind": kind,
            "number": f"{kind[:1]}-{uuid.uuid4().hex[:6]}",
            "order_date": "2026-09-01",
            "effective_date": "2026-09-01",
            "employee_ids": ids,
            **extra,
        },
    )


async def test_hiring_and_dismissal(
    client: httpx.AsyncClient, admin_a: dict[str, str], infra: Infra, nats_prefix: str
) -> None:
    teacher = await _card(client, admin_a, "Кадрова")
    r = await client.post(
        f"/api/v1/employees/{teacher}/courses",
        headers=admin_a,
        json={"title": "Цифровая образовательная среда", "hours": 72, "finished_on": "2026-05-30"},
    )
    assert [c["hours"] for c in r.json()["courses"]] == [72]
    # Dismissing someone not yet hired: refused, naming her.
    r = await _order(client, admin_a, "dismissal", [teacher])
    assert "Кадрова Ольга" in assert_problem(r, 422)["errors"][0]["message"]
    # An HR order cannot make anyone an administrator.
    r = await _order(client, admin_a, "hiring", [teacher], position_code="admin")
    assert assert_problem(r, 422)["errors"][0]["field"] == "position_code"
    r = await _order(client, admin_a, "hiring", [teacher], position_code="teacher")
    assert r.status_code == 201, r.text
    draft = r.json()
    assert [(i["full_name"], i["position_code"]) for i in draft["staff_items"]] == [
        ("Кадрова Ольга", "teacher")
    ]
    signed = await client.post(f"/api/v1/orders/{draft['id']}/sign", headers=admin_a)
    assert signed.status_code == 200, signed.text
    card = (await client.get(f"/api/v1/employees/{teacher}", headers=admin_a)).json()
    assert (card["status"], card["hired_on"]) == ("active", "2026-09-01")
    assert_problem(await _order(client, admin_a, "hiring", [teacher]), 422)  # already works
    # Signed hiring orders are corrected by new staff orders, not cancelled.
    r = await client.post(
        "/api/v1/orders/movement",
        headers=admin_a,
        json={
            "kind": "cancellation",
            "number": "x-1",
            "order_date": "2026-09-02",
            "effective_date": "2026-09-02",
            "cancelled_order_id": draft["id"],
        },
    )
    assert "Кадровый" in assert_problem(r, 422)["detail"]
    r = await _order(client, admin_a, "dismissal", [teacher])
    assert (await client.post(f"/api/v1/orders/{r.json()['id']}/sign", headers=admin_a)).is_success
    card = (await client.get(f"/api/v1/employees/{teacher}", headers=admin_a)).json()
    assert card["status"] == "dismissed"

    async with infra.nats_admin() as nc:
        js = nc.jetstream()
        found: dict[str, list[dict[str, Any]]] = {}
        for subject in ("contingent.employee.hired.v1", "contingent.employee.dismissed.v1"):
            sub = await js.pull_subscribe(
                f"{nats_prefix}{subject}", stream=stream_name("contingent", nats_prefix)
            )
            found[subject] = await eventually(
                lambda s=sub: _fetch(s), until=lambda m: len(m) == 1, message=subject
            )
    hired = found["contingent.employee.hired.v1"][0]["data"]
    assert (hired["employee_id"], hired["surname"], hired["position_code"]) == (
        teacher,
        "Кадрова",
        "teacher",
    )
    assert "Цифровая" not in json.dumps(hired)  # the HR card stays in contingent


async def _fetch(sub: Any) -> list[dict[str, Any]]:
    try:
        return [json.loads(m.data) for m in await sub.fetch(10, timeout=0.5)]
    except nats.errors.TimeoutError:
        return []


async def test_only_hr_reaches_the_cards(
    client: httpx.AsyncClient,
    admin_a: dict[str, str],
    admin_b: dict[str, str],
    issuer: TestIssuer,
    tenant_a: uuid.UUID,
) -> None:
    teacher = await _card(client, admin_a, "Кадрова")
    curator = issuer.headers(
        tenant_id=tenant_a, permissions=["contingent.students.read", "contingent.orders.write"]
    )
    assert_problem(await client.get("/api/v1/employees", headers=curator), 403)
    assert_problem(await client.get(f"/api/v1/employees/{teacher}", headers=curator), 403)
    assert_problem(await _order(client, curator, "hiring", [teacher]), 403)
    assert_problem(await client.get(f"/api/v1/employees/{teacher}", headers=admin_b), 404)
    assert_problem(await _order(client, admin_b, "hiring", [teacher]), 404)
    assert (await client.get("/api/v1/employees", headers=admin_b)).json()["total"] == 0
