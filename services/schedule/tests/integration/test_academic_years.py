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

YEAR = {
    "title": "2026/2027",
    "starts_on": "2026-09-01",
    "ends_on": "2027-05-31",
    "periods": [
        {"kind": "semester", "number": 1, "starts_on": "2026-09-01", "ends_on": "2026-12-28"},
        {"kind": "semester", "number": 2, "starts_on": "2027-01-12", "ends_on": "2027-05-31"},
    ],
}


async def test_create_list_and_announce_an_academic_year(
    client: httpx.AsyncClient, issuer: TestIssuer, infra: Infra, nats_prefix: str
) -> None:
    tenant = uuid.uuid4()
    headers = issuer.headers(tenant_id=tenant, permissions=["schedule.read", "schedule.write"])
    r = await client.post("/api/v1/academic-years", json=YEAR, headers=headers)
    assert r.status_code == 201, r.text
    year = r.json()
    assert [p["number"] for p in year["periods"]] == [1, 2]
    assert (await client.get("/api/v1/academic-years", headers=headers)).json()["items"] == [year]
    assert_problem(await client.post("/api/v1/academic-years", json=YEAR, headers=headers), 409)

    async with infra.nats_admin() as nc:
        sub = await nc.jetstream().pull_subscribe(
            f"{nats_prefix}schedule.academic_year.opened.v1",
            stream=stream_name("schedule", nats_prefix),
        )

        async def fetch() -> list[Any]:
            try:
                return list(await sub.fetch(1, timeout=0.5))
            except nats.errors.TimeoutError:
                return []

        [msg] = await eventually(fetch, message="academic_year.opened on JetStream")
    body = json.loads(msg.data)
    assert msg.headers["Nats-Msg-Id"] == body["id"]
    assert body["data"]["academic_year_id"] == year["id"]

    other = issuer.headers(tenant_id=uuid.uuid4(), permissions=["schedule.read"])
    assert_problem(await client.get(f"/api/v1/academic-years/{year['id']}", headers=other), 404)
    assert (await client.get("/api/v1/academic-years", headers=other)).json()["items"] == []


async def test_rule_violations_are_russian_problems(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    headers = issuer.headers(tenant_id=uuid.uuid4(), permissions=["schedule.write"])
    overlapping = {
        **YEAR,
        "periods": [{**YEAR["periods"][0], "ends_on": "2027-02-01"}, YEAR["periods"][1]],
    }
    body = assert_problem(
        await client.post("/api/v1/academic-years", json=overlapping, headers=headers), 422
    )
    assert body["detail"] == "Периоды 1 и 2 пересекаются"
    body = assert_problem(
        await client.post(
            "/api/v1/academic-years", json={**YEAR, "title": "2026-27"}, headers=headers
        ),
        422,
    )
    assert body["errors"][0]["field"] == "title"
    reader = issuer.headers(tenant_id=uuid.uuid4(), permissions=["schedule.read"])
    assert_problem(await client.post("/api/v1/academic-years", json=YEAR, headers=reader), 403)
