"""Behind a real PgBouncer in transaction mode (Debian's package), the tenant setting
stays inside its transaction: the server connection a transaction leaves goes to the
next client's transaction without it, because services set it with
`set_config(…, true)` (transaction-local). A session-level setting would travel to
the next client: the control case shows it does, so the test can tell the two apart."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from sqlalchemy import text

from edureg_admin import catalogue
from edureg_devstack.embedded import EmbeddedPgBouncer, free_port
from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_shared import migrations
from edureg_shared.db import TENANT_SETTING, Database, create_engine


@pytest.fixture(scope="module")
def bouncer(infra: Infra) -> Iterator[EmbeddedPgBouncer]:
    app = migrations.roles("journal").app
    started = EmbeddedPgBouncer(
        infra.root / "pgbouncer",
        free_port(),
        upstream=infra.pg,
        users={app: infra.secrets.roles["journal"].app},
        pool_size=1,  # every client transaction takes turns on one server connection
    ).start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
async def journal_db(infra: Infra) -> ServiceDatabase:
    service = next(s for s in catalogue.services() if s.name == "journal")
    return await infra.fresh_database("journal", service.service_dir)


@pytest.fixture
async def pooled(
    bouncer: EmbeddedPgBouncer, journal_db: ServiceDatabase
) -> AsyncIterator[tuple[Database, Database]]:
    """Two clients (two services' processes, say) through the one PgBouncer."""
    url = bouncer.dsn(journal_db.name, migrations.roles("journal").app)
    first = Database(create_engine(url, pool_size=2, max_overflow=0, pgbouncer=True))
    second = Database(create_engine(url, pool_size=2, max_overflow=0, pgbouncer=True))
    try:
        yield first, second
    finally:
        await first.dispose()
        await second.dispose()


_INSERT = text(
    "INSERT INTO audit_log (id, tenant_id, actor_kind, action, entity) "
    "VALUES (:id, :tenant, 'system', 'test.pooled', 'test')"
)
_SETTING = text(f"SELECT coalesce(current_setting('{TENANT_SETTING}', true), '')")


async def test_the_tenant_stays_inside_its_transaction(
    pooled: tuple[Database, Database],
) -> None:
    first, second = pooled
    tenant = uuid.uuid4()
    async with first.tenant_session(tenant) as s:
        await s.execute(_INSERT, {"id": uuid.uuid4(), "tenant": tenant})
        server = await s.scalar(text("SELECT pg_backend_pid()"))
        assert await s.scalar(_SETTING) == str(tenant)
    async with second.unscoped_session() as s:
        # The same server connection, handed to another client's transaction...
        assert await s.scalar(text("SELECT pg_backend_pid()")) == server
        # ...without the tenant, so row-level security shows it nothing.
        assert await s.scalar(_SETTING) == ""
        assert await s.scalar(text("SELECT count(*) FROM audit_log")) == 0
    async with second.tenant_session(uuid.uuid4()) as s:
        assert await s.scalar(text("SELECT count(*) FROM audit_log")) == 0
    async with second.tenant_session(tenant) as s:
        assert await s.scalar(text("SELECT count(*) FROM audit_log")) == 1


async def test_interleaved_tenants_on_one_server_connection_see_only_their_own(
    pooled: tuple[Database, Database],
) -> None:
    first, second = pooled

    async def organisation(db: Database, rounds: int) -> set[int]:
        tenant = uuid.uuid4()
        servers = set()
        for done in range(rounds):
            async with db.tenant_session(tenant) as s:
                await s.execute(_INSERT, {"id": uuid.uuid4(), "tenant": tenant})
                servers.add(int(await s.scalar(text("SELECT pg_backend_pid()")) or 0))
                assert await s.scalar(text("SELECT count(*) FROM audit_log")) == done + 1
                assert await s.scalar(_SETTING) == str(tenant)
        return servers

    results = await asyncio.gather(
        *(organisation(db, 10) for db in (first, second) for _ in range(5))
    )
    assert len(set().union(*results)) == 1  # all of them took turns on one connection


async def test_a_session_level_setting_would_leak_to_the_next_client(
    bouncer: EmbeddedPgBouncer, journal_db: ServiceDatabase
) -> None:
    """The control: what `set_config(…, false)` would do behind PgBouncer."""
    app = migrations.roles("journal").app
    dsn = bouncer.dsn(journal_db.name, app).replace("postgresql+asyncpg://", "postgresql://")
    a = await asyncpg.connect(dsn, statement_cache_size=0)
    b = await asyncpg.connect(dsn, statement_cache_size=0)
    try:
        leaked = str(uuid.uuid4())
        await a.execute(f"SELECT set_config('{TENANT_SETTING}', '{leaked}', false)")
        assert await b.fetchval(_SETTING.text) == leaked
        await a.execute(f"RESET {TENANT_SETTING}")
    finally:
        await a.close()
        await b.close()
