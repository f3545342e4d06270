"""Occupancy and movement follow contingent's events, each counted once."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.events.envelope import Actor, Envelope

VERSIONS = {"contingent.student.enrolled": 2, "contingent.student.expelled": 2}


def event(type_: str, tenant: uuid.UUID, data: dict[str, Any]) -> Envelope:
    return Envelope(
        type=type_,
        schema_version=VERSIONS.get(type_, 1),
        tenant_id=tenant,
        actor=Actor(id=uuid.uuid4()),
        data=data,
    )


async def publish(infra: Infra, prefix: str, *events: tuple[Envelope, str]) -> None:
    for env, msg_id in events:
        await infra.publish(prefix, env, msg_id)


async def test_occupancy_and_movement_count_each_event_once(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    tenant, group = uuid.uuid4(), uuid.uuid4()
    headers = issuer.headers(tenant_id=tenant, permissions=["reporting.read"])
    students = [uuid.uuid4() for _ in range(3)]
    enrolments = [
        event(
            "contingent.student.enrolled",
            tenant,
            {
                "student_id": str(s),
                "group_id": str(group),
                "order_number": "1-к",
                "order_date": "2026-08-30",
                "valid_from": "2026-09-01",
                "display_name": "Щукин Ёжик",
            },
        )
        for s in students
    ]
    expulsion = event(
        "contingent.student.expelled",
        tenant,
        {
            "student_id": str(students[0]),
            "group_id": str(group),
            "order_number": "2-о",
            "order_date": "2026-12-01",
            "valid_to": "2026-12-02",
            "reason_code": "relocation",
        },
    )
    # The students arrive before the group itself, and one event is delivered twice.
    await publish(
        infra,
        nats_prefix,
        *[(e, str(e.id)) for e in enrolments],
        (enrolments[0], "again"),
        (expulsion, str(expulsion.id)),
    )
    await publish(
        infra,
        nats_prefix,
        (
            event(
                "contingent.group.created",
                tenant,
                {"group_id": str(group), "name": "8А", "grade": 8, "academic_year": "2026/2027"},
            ),
            "g",
        ),
    )

    async def occupancy() -> list[Any]:
        return list((await client.get("/api/v1/occupancy", headers=headers)).json()["items"])

    [row] = await eventually(
        occupancy,
        until=lambda r: (
            bool(r)
            and r[0]["name"] == "8А"
            and r[0]["expelled_total"] == 1
            and r[0]["enrolled_total"] >= 3
        ),
        message="occupancy projected",
    )
    assert (row["active_students"], row["enrolled_total"], row["expelled_total"]) == (2, 3, 1)
    r = await client.get(
        "/api/v1/movement", params={"from": "2026-09-01", "to": "2026-12-31"}, headers=headers
    )
    kinds = [(m["kind"], m["effective_date"]) for m in r.json()["items"]]
    assert kinds == [("enrolled", "2026-09-01")] * 3 + [("expelled", "2026-12-02")]
    assert "Не нужна" not in r.text

    other = issuer.headers(tenant_id=uuid.uuid4(), permissions=["reporting.read"])
    assert (await client.get("/api/v1/occupancy", headers=other)).json()["items"] == []


async def test_bad_period_is_a_russian_problem(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    headers = issuer.headers(tenant_id=uuid.uuid4(), permissions=["reporting.read"])
    body = assert_problem(
        await client.get(
            "/api/v1/movement", params={"from": "2026-12-01", "to": "2026-09-01"}, headers=headers
        ),
        422,
    )
    assert body["detail"] == "Дата окончания периода раньше даты начала"
    body = assert_problem(
        await client.get("/api/v1/movement", params={"from": "x"}, headers=headers), 422
    )
    assert {e["field"] for e in body["errors"]} == {"from", "to"}


async def test_a_movement_period_longer_than_its_bound_is_refused(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    headers = issuer.headers(tenant_id=uuid.uuid4(), permissions=["reporting.read"])
    r = await client.get(
        "/api/v1/movement", params={"from": "2020-01-01", "to": "2026-12-31"}, headers=headers
    )
    body = assert_problem(r, 422)
    assert {e["field"] for e in body["errors"]} == {"from", "to"}
    ok = await client.get(
        "/api/v1/movement", params={"from": "2026-09-01", "to": "2027-08-31"}, headers=headers
    )
    assert ok.json()["items"] == []
