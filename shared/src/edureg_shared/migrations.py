"""Alembic support shared by every service: the env runner, roles, and tenant RLS helpers.

Roles per service (created by `provision.py`, named by `roles()`):
- owner  `edureg_<service>`       — owns the tables, runs the migrations;
- app    `edureg_<service>_app`   — what the service runs as: DML only, subject to RLS;
- relay  `edureg_<service>_relay` — reads and deletes the outbox, nothing else.
None of them is superuser or BYPASSRLS, and RLS is FORCEd, so even the owner obeys it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

TENANT_PREDICATE = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"


@dataclass(frozen=True)
class Roles:
    owner: str
    app: str
    relay: str


def roles(service: str) -> Roles:
    base = f"edureg_{service}"
    return Roles(owner=base, app=f"{base}_app", relay=f"{base}_relay")


def tenant_table(
    table: str, *, service: str, privileges: str = "SELECT, INSERT, UPDATE, DELETE"
) -> None:
    """Turn on and force row-level security for a tenant-owned table; grant the app role."""
    r = roles(service)
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} "
        f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
    )
    op.execute(f"GRANT {privileges} ON {table} TO {r.app}")


def grant_sequences(*, service: str) -> None:
    r = roles(service)
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r.app}, {r.relay}")


def outbox_table(*, service: str, table: str = "outbox") -> None:
    """RLS for the outbox: the app writes its tenant's rows; only the relay reads them all."""
    r = roles(service)
    tenant_table(table, service=service, privileges="INSERT")
    op.execute(f"CREATE POLICY relay_all ON {table} TO {r.relay} USING (true)")
    op.execute(f"GRANT SELECT, UPDATE, DELETE ON {table} TO {r.relay}")


def run_env(target_metadata: MetaData) -> None:
    """Body of every service's migrations/env.py (online mode, asyncpg)."""
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set (the owner role's DSN)"

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as conn:
            await conn.run_sync(do_run)
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run_async())


def upgrade(service_dir: Path, owner_dsn: str, revision: str = "head") -> None:
    """Apply a service's migrations; `service_dir` holds its alembic.ini."""
    cfg = Config(str(service_dir / "alembic.ini"))
    cfg.set_main_option("script_location", str(service_dir / "migrations"))
    cfg.set_main_option("sqlalchemy.url", owner_dsn.replace("%", "%%"))
    command.upgrade(cfg, revision)
