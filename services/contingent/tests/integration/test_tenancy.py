"""Tenant isolation is a security boundary: application checks backed by forced RLS."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from edureg_contingent.bootstrap import create
from edureg_contingent.config import Settings
from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import assert_problem, running_app
from edureg_shared.db import Database, UnsafeDatabaseRole, create_engine

from .helpers import enrol, make_group, student


async def test_another_organisations_objects_are_404(
    client: httpx.AsyncClient, admin_a: dict[str, str], admin_b: dict[str, str]
) -> None:
    group_id = await make_group(client, admin_a)
    order = await enrol(client, admin_a, group_id, [student()])
    student_id = order["items"][0]["student_id"]

    assert_problem(await client.get(f"/api/v1/groups/{group_id}", headers=admin_b), 404)
    assert_problem(await client.get(f"/api/v1/orders/{order['id']}", headers=admin_b), 404)
    assert_problem(await client.get(f"/api/v1/students/{student_id}", headers=admin_b), 404)
    assert_problem(await client.post(f"/api/v1/orders/{order['id']}/sign", headers=admin_b), 404)
    assert (await client.get("/api/v1/groups", headers=admin_b)).json()["items"] == []
    # ...while the owner still sees them.
    assert (await client.get(f"/api/v1/students/{student_id}", headers=admin_a)).status_code == 200


async def test_without_a_tenant_no_rows_are_visible(
    client: httpx.AsyncClient, admin_a: dict[str, str], db: ServiceDatabase
) -> None:
    await make_group(client, admin_a)
    database = Database(create_engine(db.app_url))
    try:
        async with database.unscoped_session() as session:
            for table in ("groups", "orders", "students", "guardians", "audit_log"):
                count = await session.scalar(text(f"SELECT count(*) FROM {table}"))
                assert count == 0, table
            # The relay's table is not readable by the app role at all.
            with pytest.raises(DBAPIError):
                await session.execute(text("SELECT count(*) FROM outbox"))
    finally:
        await database.dispose()


async def test_tenant_setting_does_not_leak_to_next_user_of_pooled_connection(
    client: httpx.AsyncClient, admin_a: dict[str, str], tenant_a: uuid.UUID, db: ServiceDatabase
) -> None:
    await make_group(client, admin_a)
    database = Database(create_engine(db.app_url, pool_size=1, max_overflow=0))
    try:
        async with database.tenant_session(tenant_a) as session:
            pid_a = await session.scalar(text("SELECT pg_backend_pid()"))
            assert await session.scalar(text("SELECT count(*) FROM groups")) == 1
        async with database.unscoped_session() as session:
            # Same physical connection, next transaction: no tenant, no rows.
            assert await session.scalar(text("SELECT pg_backend_pid()")) == pid_a
            setting = await session.scalar(text("SELECT current_setting('app.tenant_id', true)"))
            assert not setting
            assert await session.scalar(text("SELECT count(*) FROM groups")) == 0
        async with database.tenant_session(uuid.uuid4()) as session:
            assert await session.scalar(text("SELECT pg_backend_pid()")) == pid_a
            assert await session.scalar(text("SELECT count(*) FROM groups")) == 0
    finally:
        await database.dispose()


async def test_rls_rejects_writing_a_row_for_another_tenant(
    tenant_a: uuid.UUID, tenant_b: uuid.UUID, db: ServiceDatabase
) -> None:
    database = Database(create_engine(db.app_url))
    try:
        with pytest.raises(DBAPIError, match="row-level security"):
            async with database.tenant_session(tenant_a) as session:
                await session.execute(
                    text(
                        "INSERT INTO groups (tenant_id, id, name, grade, academic_year) "
                        "VALUES (:t, :i, '1А', 1, '2026/2027')"
                    ),
                    {"t": tenant_b, "i": uuid.uuid4()},
                )
    finally:
        await database.dispose()


async def test_service_roles_cannot_bypass_rls(db: ServiceDatabase) -> None:
    database = Database(create_engine(db.admin_url))
    try:
        async with database.unscoped_session() as session:
            rows = (
                await session.execute(
                    text(
                        "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles "
                        "WHERE rolname LIKE 'edureg_contingent%'"
                    )
                )
            ).all()
            assert {r.rolname for r in rows} == {
                "edureg_contingent",
                "edureg_contingent_app",
                "edureg_contingent_relay",
            }
            assert not any(r.rolsuper or r.rolbypassrls for r in rows)
            owners = (
                await session.execute(
                    text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
                )
            ).scalars()
            assert set(owners) == {"edureg_contingent"}
            unforced = (
                (
                    await session.execute(
                        text(
                            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = "
                            "'public'::regnamespace AND relname <> 'alembic_version' "
                            "AND NOT (relrowsecurity AND relforcerowsecurity)"
                        )
                    )
                )
                .scalars()
                .all()
            )
            assert unforced == []
    finally:
        await database.dispose()


async def test_a_service_refuses_to_run_as_a_role_that_could_bypass_rls(
    infra: Infra, db: ServiceDatabase, settings: Settings
) -> None:
    """Given the owner's or the superuser's credential by mistake, the service does not
    start; with its own app and relay roles it does."""
    for wrong in (db.owner_url, db.admin_url):
        bad = settings.model_copy(update={"database_url": wrong})
        with pytest.raises(UnsafeDatabaseRole):
            async with running_app(create(bad)):
                pass
    bad_relay = settings.model_copy(update={"relay_database_url": db.owner_url})
    with pytest.raises(UnsafeDatabaseRole):
        async with running_app(create(bad_relay)):
            pass
    async with running_app(create(settings)) as c:
        assert (await c.get("/health/live")).status_code == 200
