"""Nothing lost, nothing doubled: enrolments while the broker restarts and the identity
consumer is SIGKILLed and restarted mid-flow (200 and 2,000 students: `make test-slow`, with
the cluster's node-loss runs; `make test` keeps the outbox, inbox and redelivery tests of
each service and the two relays)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from edureg_devstack.system import System, running
from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import eventually
from edureg_shared.db import Database, create_engine

from .conftest import CORE


@pytest.fixture
async def chaos_system(infra: Infra) -> AsyncIterator[System]:
    async with running(infra, CORE, tag="chaos") as sys_:
        yield sys_


def _student(i: int) -> dict[str, Any]:
    return {
        "surname": "Тестов",
        "name": f"Ученик{chr(0x430 + i % 32)}",
        "birth_date": "2013-01-01",
        "sex": "m",
        "guardians": [
            {"surname": "Тестова", "name": "Мама", "relation": "mother"},
            {"surname": "Тестов", "name": "Папа", "relation": "father"},
        ],
    }


def enrolment_order(batch: int, group_id: str, per_order: int) -> dict[str, Any]:
    """The `batch`-th enrolment order of `per_order` students into `group_id`."""
    return {
        "number": f"{batch}-к",
        "order_date": "2026-09-01",
        "effective_date": "2026-09-01",
        "group_id": group_id,
        "students": [_student(batch * per_order + i) for i in range(per_order)],
    }


async def _count(system: System, name: str, sql: str) -> int:
    db = Database(create_engine(system.databases[name].admin_url, pool_size=1, max_overflow=0))
    try:
        async with db.unscoped_session() as s:
            return int(await s.scalar(text(sql)) or 0)
    finally:
        await db.dispose()


@pytest.mark.parametrize(
    ("students", "per_order"),
    [
        pytest.param(200, 5, marks=pytest.mark.slow, id="200-slow"),
        pytest.param(2000, 20, marks=pytest.mark.slow, id="2000-slow"),
    ],
)
async def test_enrolments_survive_broker_restart_and_consumer_kill(
    chaos_system: System, infra: Infra, students: int, per_order: int
) -> None:
    system = chaos_system
    system.seed_organisations("chaos")
    admin = await system.login("admin.chaos")
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin, timeout=30) as c:
        r = await c.post(
            "/api/v1/groups", json={"name": "10А", "grade": 10, "academic_year": "2026/2027"}
        )
        group_id = r.json()["id"]

        async def enrol(batch: int) -> None:
            r = await c.post(
                "/api/v1/orders/enrolment", json=enrolment_order(batch, group_id, per_order)
            )
            assert r.status_code == 201, r.text
            r = await c.post(f"/api/v1/orders/{r.json()['id']}/sign")
            assert r.status_code == 200, r.text

        batches = students // per_order
        for b in range(batches // 4):
            await enrol(b)
        infra.nats.stop()  # the broker goes away mid-flow
        for b in range(batches // 4, batches // 2):
            await enrol(b)  # orders are still signed: they wait in the outbox
        infra.nats.start()
        for b in range(batches // 2, 3 * batches // 4):
            await enrol(b)
        system.services["identity"].kill()  # SIGKILL: no shutdown, no acks in flight
        for b in range(3 * batches // 4, batches):
            await enrol(b)
        await asyncio.to_thread(system.services["identity"].start)

    deadline = 180.0
    started = time.monotonic()
    await eventually(
        lambda: _count(system, "identity", "SELECT count(*) FROM users WHERE kind = 'student'"),
        until=lambda n: n >= students,
        timeout=deadline,
        message="200 student accounts",
    )
    await eventually(
        lambda: _count(system, "journal", "SELECT count(*) FROM roster_memberships"),
        until=lambda n: n >= students,
        timeout=deadline - (time.monotonic() - started),
        message="200 roster memberships",
    )
    for name in ("contingent", "identity", "journal"):
        await eventually(
            lambda n=name: _count(system, n, "SELECT count(*) FROM outbox"),
            until=lambda n: n == 0,
            timeout=60,
            message=f"{name} outbox drained",
        )

    assert (
        await _count(system, "identity", "SELECT count(*) FROM users WHERE kind = 'student'")
        == students
    )
    assert (
        await _count(
            system, "identity", "SELECT count(DISTINCT person_id) FROM users WHERE kind = 'student'"
        )
        == students
    )
    assert (
        await _count(system, "identity", "SELECT count(*) FROM users WHERE kind = 'guardian'")
        == 2 * students
    )
    assert await _count(system, "identity", "SELECT count(*) FROM guardian_links") == 2 * students
    assert await _count(system, "journal", "SELECT count(*) FROM roster_memberships") == students
    assert (
        await _count(system, "journal", "SELECT count(DISTINCT student_id) FROM roster_memberships")
        == students
    )
    # and through the API, as a school would see it
    async with httpx.AsyncClient(base_url=system.url("journal"), headers=admin) as j:
        roster = (
            await j.get(f"/api/v1/groups/{group_id}/roster", params={"on": "2026-09-01"})
        ).json()
    assert roster["total"] == students
