"""Journal's HTTP API: tenancy and problem+json."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import text

from edureg_devstack.testing.infra import ServiceDatabase
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.db import Database, create_engine

from .test_delivery import enrolled, publish, roster


async def test_other_tenants_rows_are_invisible_and_no_tenant_sees_nothing(
    client: httpx.AsyncClient,
    infra,
    nats_prefix: str,
    tenant: uuid.UUID,
    reader: dict[str, str],
    issuer: TestIssuer,
    db: ServiceDatabase,
) -> None:
    group, student = uuid.uuid4(), uuid.uuid4()
    async with infra.nats_as("contingent") as nc:
        await publish(nc, nats_prefix, enrolled(tenant, group, student))
    await eventually(lambda: roster(client, reader, group, "2026-09-01"), message="handled")
    other = issuer.headers(tenant_id=uuid.uuid4(), permissions=["journal.rosters.read"])
    assert await roster(client, other, group, "2026-09-01") == []
    r = await client.get(f"/api/v1/students/{student}/memberships", headers=other)
    assert r.json()["items"] == []
    database = Database(create_engine(db.app_url))
    try:
        async with database.unscoped_session() as s:
            assert await s.scalar(text("SELECT count(*) FROM roster_memberships")) == 0
    finally:
        await database.dispose()


async def test_bad_date_is_a_russian_problem_naming_the_field(
    client: httpx.AsyncClient, reader: dict[str, str]
) -> None:
    r = await client.get(
        f"/api/v1/groups/{uuid.uuid4()}/roster", params={"on": "31.12.2026"}, headers=reader
    )
    body = assert_problem(r, 422)
    assert body["errors"] == [{"field": "on", "message": "Ожидается дата в формате ГГГГ-ММ-ДД"}]


async def test_permission_is_required(client: httpx.AsyncClient, issuer: TestIssuer) -> None:
    headers = issuer.headers(tenant_id=uuid.uuid4(), permissions=["contingent.groups.read"])
    assert_problem(await client.get(f"/api/v1/groups/{uuid.uuid4()}/roster", headers=headers), 403)
