"""Create a service's database and its three roles (idempotent). Needs a superuser DSN.

Used by `make run`, by the test fixtures, and as the reference for deploy/ init scripts.
"""

from __future__ import annotations

import asyncpg

from edureg_shared.migrations import roles


async def provision_service_database(
    admin_dsn: str, *, service: str, database: str, password: str | None = None
) -> None:
    r = roles(service)
    conn = await asyncpg.connect(admin_dsn)
    try:
        for role in (r.owner, r.app, r.relay):
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            pw = f" PASSWORD '{password}'" if password else ""
            if not exists:
                await conn.execute(
                    f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE '
                    f"NOBYPASSRLS NOINHERIT{pw}"
                )
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await conn.execute(f'CREATE DATABASE "{database}" OWNER "{r.owner}"')
        await conn.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
        await conn.execute(
            f'GRANT CONNECT ON DATABASE "{database}" TO "{r.owner}", "{r.app}", "{r.relay}"'
        )
    finally:
        await conn.close()
    # Schema-level grants live inside the database.
    db_conn = await asyncpg.connect(_with_database(admin_dsn, database))
    try:
        await db_conn.execute(f'GRANT USAGE ON SCHEMA public TO "{r.app}", "{r.relay}"')
        await db_conn.execute(f'GRANT CREATE ON SCHEMA public TO "{r.owner}"')
    finally:
        await db_conn.close()


async def clone_database(admin_dsn: str, *, template: str, database: str) -> None:
    """A fresh copy of a migrated template: milliseconds, and every test gets clean tables."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        owner = await conn.fetchval(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", template
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}" OWNER "{owner}"')
        await conn.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
        grantees = await conn.fetch(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE $1", f"{owner}%"
        )
        names = ", ".join(f'"{g["rolname"]}"' for g in grantees)
        await conn.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {names}')
    finally:
        await conn.close()


def _with_database(dsn: str, database: str) -> str:
    head, _, _ = dsn.rpartition("/")
    return f"{head}/{database}"
