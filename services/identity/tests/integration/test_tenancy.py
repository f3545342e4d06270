"""identity's tables under forced RLS, and its SECURITY DEFINER functions safe to call."""

from __future__ import annotations

from sqlalchemy import text

from edureg_devstack.testing.infra import ServiceDatabase
from edureg_shared.db import Database, create_engine


async def test_security_definer_functions_fix_their_search_path(db: ServiceDatabase) -> None:
    database = Database(create_engine(db.admin_url))
    try:
        async with database.unscoped_session() as s:
            rows = (
                await s.execute(
                    text(
                        "SELECT proname, proconfig, prosrc FROM pg_proc "
                        "WHERE prosecdef AND pronamespace = 'public'::regnamespace"
                    )
                )
            ).all()
            app_grants = set(
                (
                    await s.execute(
                        text(
                            "SELECT privilege_type FROM information_schema.role_table_grants "
                            "WHERE grantee = 'edureg_identity_app' AND table_name = 'login_attempts'"
                        )
                    )
                ).scalars()
            )
            unforced = (
                (
                    await s.execute(
                        text(
                            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = "
                            "'public'::regnamespace AND relname NOT IN "
                            # The registry is the region's; so is its production calendar
                            # (corrections from schedule: dates, nothing personal).
                            "('alembic_version', 'organisations', 'calendar_days') "
                            "AND NOT (relrowsecurity AND relforcerowsecurity)"
                        )
                    )
                )
                .scalars()
                .all()
            )
    finally:
        await database.dispose()
    assert {r.proname for r in rows} == {
        "auth_lookup",
        "record_login_attempt",
        "login_failures_from",
        "login_failures_of",
        "region_account_statistics",
        "sign_in_accounts",
        "guardian_by_match_key",
    }
    for r in rows:
        assert r.proconfig == ["search_path=pg_catalog, public"], r.proname
        assert "public." in r.prosrc, f"{r.proname} names a table without its schema"
    # The app reads its own organisation's sign-ins (activity, under RLS) and writes them
    # only through the functions: it cannot alter or erase the log.
    assert app_grants == {"SELECT"}
    assert unforced == []
