"""Create a service's database and its three roles (idempotent). Needs a superuser DSN.

Roles per service (named by `edureg_shared.migrations.roles`):
- owner  `edureg_<service>`       — owns the tables, runs the migrations; its secret is
                                    given to `edureg-migrate` only, never to a service;
- app    `edureg_<service>_app`   — what the service runs as: DML only, subject to RLS;
- relay  `edureg_<service>_relay` — reads and deletes the outbox, nothing else.
Each has its own secret. Running again re-asserts every attribute (an existing role that
was made superuser, BYPASSRLS, or a member of another role by hand is put back) and sets
the secrets. Passwords reach the server only as SCRAM-SHA-256 verifiers computed here,
inside statements the server itself quotes (`format('%I', '%L')`): never a password
pasted into SQL, never one in the server's log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

import asyncpg

from edureg_shared.migrations import roles

_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT NOREPLICATION"


@dataclass(frozen=True)
class RoleSecrets:
    """One service's three database secrets."""

    owner: str
    app: str
    relay: str

    @classmethod
    def generate(cls) -> RoleSecrets:
        return cls(*(secrets.token_urlsafe(24) for _ in range(3)))


def scram_verifier(password: str, *, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 7677)."""
    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


async def _execute_quoted(conn: asyncpg.Connection, template: str, *values: str) -> None:
    """Run a utility statement (no bind parameters there) whose identifiers (%I) and
    literals (%L) the server quotes itself."""
    placeholders = ", ".join(f"${i + 2}::text" for i in range(len(values)))
    statement = await conn.fetchval(f"SELECT format($1::text, {placeholders})", template, *values)
    await conn.execute(statement)


async def ensure_role(conn: asyncpg.Connection, role: str, password: str | None) -> None:
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
    verb = "ALTER" if exists else "CREATE"
    if password:
        await _execute_quoted(
            conn, f"{verb} ROLE %I WITH {_ATTRIBUTES} PASSWORD %L", role, scram_verifier(password)
        )
    else:
        await _execute_quoted(conn, f"{verb} ROLE %I WITH {_ATTRIBUTES}", role)
    # No role may borrow another's privileges (the app role granted the owner role, say).
    for granted in await conn.fetch(
        "SELECT r.rolname, g.rolname AS grantor FROM pg_auth_members m "
        "JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
        "JOIN pg_roles g ON g.oid = m.grantor WHERE u.rolname = $1",
        role,
    ):
        # GRANTED BY: since PostgreSQL 16 a membership is revoked per grantor.
        await _execute_quoted(
            conn, "REVOKE %I FROM %I GRANTED BY %I", granted["rolname"], role, granted["grantor"]
        )


async def provision_service_database(
    admin_dsn: str, *, service: str, database: str, secrets_: RoleSecrets | None = None
) -> None:
    r = roles(service)
    conn = await asyncpg.connect(admin_dsn)
    try:
        for role, password in (
            (r.owner, secrets_.owner if secrets_ else None),
            (r.app, secrets_.app if secrets_ else None),
            (r.relay, secrets_.relay if secrets_ else None),
        ):
            await ensure_role(conn, role, password)
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await _execute_quoted(conn, "CREATE DATABASE %I OWNER %I", database, r.owner)
        await _execute_quoted(conn, "REVOKE ALL ON DATABASE %I FROM PUBLIC", database)
        for role in (r.owner, r.app, r.relay):
            await _execute_quoted(conn, "GRANT CONNECT ON DATABASE %I TO %I", database, role)
    finally:
        await conn.close()
    # Schema-level grants live inside the database.
    db_conn = await asyncpg.connect(admin_dsn, database=database)
    try:
        await db_conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        for role in (r.app, r.relay):
            await _execute_quoted(db_conn, "GRANT USAGE ON SCHEMA public TO %I", role)
        await _execute_quoted(db_conn, "GRANT USAGE, CREATE ON SCHEMA public TO %I", r.owner)
    finally:
        await db_conn.close()


async def clone_database(admin_dsn: str, *, template: str, database: str) -> None:
    """A fresh copy of a migrated template: milliseconds, and every test gets clean tables."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        owner = await conn.fetchval(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", template
        )
        await _execute_quoted(conn, "DROP DATABASE IF EXISTS %I WITH (FORCE)", database)
        await _execute_quoted(
            conn, "CREATE DATABASE %I TEMPLATE %I OWNER %I", database, template, owner
        )
        await _execute_quoted(conn, "REVOKE ALL ON DATABASE %I FROM PUBLIC", database)
        for grantee in await conn.fetch(
            "SELECT rolname FROM pg_roles WHERE rolname = $1 OR rolname LIKE $2",
            owner,
            f"{owner}\\_%",
        ):
            await _execute_quoted(
                conn, "GRANT CONNECT ON DATABASE %I TO %I", database, grantee["rolname"]
            )
    finally:
        await conn.close()
