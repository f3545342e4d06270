"""Every table of schedule but the region's production calendar is an organisation's,
with row-level security forced; the one SECURITY DEFINER function fixes its search path
and names its tables with their schema; the service's role sees nothing without a tenant."""

from __future__ import annotations

from sqlalchemy import text

from edureg_devstack.testing.infra import ServiceDatabase
from edureg_shared.db import Database, create_engine


async def test_tables_are_tenant_scoped_and_the_definer_function_is_fixed(
    db: ServiceDatabase,
) -> None:
    admin = Database(create_engine(db.admin_url))
    try:
        async with admin.unscoped_session() as s:
            unforced = set(
                (
                    await s.execute(
                        text(
                            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = "
                            "'public'::regnamespace AND NOT (relrowsecurity AND relforcerowsecurity)"
                        )
                    )
                ).scalars()
            )
            functions = (
                await s.execute(
                    text(
                        "SELECT proname, proconfig, prosrc FROM pg_proc "
                        "WHERE prosecdef AND pronamespace = 'public'::regnamespace"
                    )
                )
            ).all()
            without_tenant_first = set(
                (
                    await s.execute(
                        text(
                            "SELECT c.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.conkey[1] "
                            "WHERE k.contype IN ('p', 'f') AND c.relnamespace = 'public'::regnamespace "
                            "AND a.attname <> 'tenant_id'"
                        )
                    )
                ).scalars()
            )
    finally:
        await admin.dispose()
    assert unforced == {"alembic_version", "calendar_days"}
    assert {f.proname for f in functions} == {"schedule_periods_ended"}
    for f in functions:
        assert f.proconfig == ["search_path=pg_catalog, public"]
        assert "public.study_periods" in f.prosrc
    # Every key of schedule's own tables leads with the organisation (Citus-ready); the
    # shared outbox, inbox and audit log are keyed by their own ids (the scale-out issue).
    shared = {"outbox", "inbox", "audit_log"}
    assert without_tenant_first - shared == {"alembic_version", "calendar_days"}
