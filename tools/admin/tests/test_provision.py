"""Role provisioning re-asserts what a role may do, on every run, with proper quoting."""

from __future__ import annotations

import asyncpg

from edureg_admin.provision import RoleSecrets, provision_service_database, scram_verifier
from edureg_devstack.testing.infra import Infra


async def test_a_tampered_role_is_put_back_and_its_secret_set(infra: Infra) -> None:
    admin = infra.pg.admin_dsn
    await provision_service_database(admin, service="probe", database="edureg_probe")
    conn = await asyncpg.connect(admin)
    try:
        # Someone made the app role mighty by hand.
        await conn.execute("ALTER ROLE edureg_probe_app SUPERUSER BYPASSRLS CREATEROLE")
        await conn.execute("GRANT edureg_probe TO edureg_probe_app")
        # A secret with quotes and a semicolon must be a password, not SQL.
        tricky = RoleSecrets(owner="o'; DROP ROLE x; --", app='a"b\\c', relay="r" * 60)
        await provision_service_database(
            admin, service="probe", database="edureg_probe", secrets_=tricky
        )
        row = await conn.fetchrow(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolinherit "
            "FROM pg_roles WHERE rolname = 'edureg_probe_app'"
        )
        assert tuple(row) == (False, False, False, False, False)
        members = await conn.fetchval(
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles u ON u.oid = m.member "
            "WHERE u.rolname = 'edureg_probe_app'"
        )
        assert members == 0
    finally:
        await conn.close()
    host = admin.split("@", 1)[1].rsplit("/", 1)[0]
    for role, password in (
        ("edureg_probe", tricky.owner),
        ("edureg_probe_app", tricky.app),
        ("edureg_probe_relay", tricky.relay),
    ):
        h, port = host.split(":")
        c = await asyncpg.connect(
            host=h, port=int(port), user=role, password=password, database="edureg_probe"
        )
        await c.close()


def test_the_verifier_is_scram_and_never_the_password() -> None:
    verifier = scram_verifier("Секрет-1")
    assert verifier.startswith("SCRAM-SHA-256$4096:")
    assert "Секрет" not in verifier
    assert scram_verifier("Секрет-1") != verifier  # salted
