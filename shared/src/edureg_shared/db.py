"""Engine, sessions and the tenant scope.

Every unit of work runs in one transaction that starts with
`set_config('app.tenant_id', <tenant>, true)`: transaction-local, so a pooled connection
handed to the next user carries no tenant. PostgreSQL row-level security reads the
setting; with none set, a tenant-owned table shows no rows.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TENANT_SETTING = "app.tenant_id"


def create_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 10, pgbouncer: bool = False
) -> AsyncEngine:
    """`pgbouncer`: the URL is a PgBouncer in transaction mode (before 1.21, which knows
    no prepared statements there): consecutive statements of a client may run on other
    server connections between transactions, so no prepared statement outlives its
    transaction under a name another client could meet, and only the startup settings
    PgBouncer passes on are sent (plan_cache_mode is then set on the role:
    `ALTER ROLE … SET plan_cache_mode = force_custom_plan`)."""
    server_settings = {"application_name": "edureg"}
    connect_args: dict[str, Any] = {"server_settings": server_settings}
    if pgbouncer:
        connect_args.update(
            statement_cache_size=0,
            prepared_statement_cache_size=0,
            prepared_statement_name_func=lambda: f"__edureg_{uuid.uuid4().hex}__",
        )
    else:
        # Plans cached while a table was small (a new organisation, a fresh deployment)
        # would keep scanning it whole as it grows: foreign-key checks and our prepared
        # statements are planned anew with the current size.
        server_settings["plan_cache_mode"] = "force_custom_plan"
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        # Statement parameters (names, birth dates) never reach an exception message, a
        # log line or a span.
        hide_parameters=True,
        connect_args=connect_args,
    )


class Database:
    """The application's engine and session factory; the only way code reaches a table."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)

    @asynccontextmanager
    async def tenant_session(self, tenant_id: uuid.UUID) -> AsyncIterator[AsyncSession]:
        """One transaction scoped to `tenant_id`; commits on success, rolls back on error."""
        async with self.sessionmaker() as session, session.begin():
            await set_tenant(session, tenant_id)
            yield session

    @asynccontextmanager
    async def unscoped_session(self) -> AsyncIterator[AsyncSession]:
        """A transaction with no tenant: tenant-owned tables show nothing in it.

        For the few lookups that precede knowing the tenant (a login by name), which go
        through SECURITY DEFINER functions that reveal one row at most.
        """
        async with self.sessionmaker() as session, session.begin():
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


async def set_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    await session.execute(
        text("SELECT set_config(:name, :value, true)"),
        {"name": TENANT_SETTING, "value": str(tenant_id)},
    )


class UnsafeDatabaseRole(RuntimeError):
    """The service's database role could bypass row-level security."""


_ROLE_CHECK = text("""
    SELECT r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,
           pg_has_role(current_user, d.datdba, 'MEMBER') AS owns_database,
           EXISTS (
               SELECT 1 FROM pg_class c
               WHERE c.relnamespace = 'public'::regnamespace
                 AND pg_has_role(current_user, c.relowner, 'MEMBER')
           ) AS owns_tables
    FROM pg_roles r, pg_database d
    WHERE r.rolname = current_user AND d.datname = current_database()
""")


async def check_service_role(engine: AsyncEngine) -> None:
    """Refuse to run as a role that could switch row-level security off: a superuser, a
    BYPASSRLS role, one that can create roles or databases, or the owner (or a member of
    the owner) of the database or of any table in it."""
    async with engine.connect() as conn:
        row = (await conn.execute(_ROLE_CHECK)).one()
    problems = [
        name
        for name, bad in (
            ("superuser", row.rolsuper),
            ("BYPASSRLS", row.rolbypassrls),
            ("CREATEROLE", row.rolcreaterole),
            ("CREATEDB", row.rolcreatedb),
            ("owner of the database", row.owns_database),
            ("owner of tables", row.owns_tables),
        )
        if bad
    ]
    if problems:
        raise UnsafeDatabaseRole(
            "refusing to start: the database role is "
            + ", ".join(problems)
            + " (a service runs as its app or relay role; the owner is for migrations only)"
        )
