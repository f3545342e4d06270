"""Every table of reporting but the region's registry, calendar and profile is an
organisation's, with row-level security forced; the region reads only through the
counting functions' SECURITY DEFINER wrappers, whose results are counts per organisation
(never a child's row), with a fixed search path and schema-qualified tables."""

from __future__ import annotations

from sqlalchemy import text

from edureg_devstack.testing.infra import ServiceDatabase
from edureg_shared.db import Database, create_engine

REGION_WIDE = {"alembic_version", "organisations", "calendar_days", "region_rules"}


async def test_tables_are_tenant_scoped_and_the_region_reads_counts_only(
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
            definers = (
                await s.execute(
                    text(
                        "SELECT proname, proconfig, prosrc, pg_get_function_result(oid) AS result "
                        "FROM pg_proc WHERE prosecdef AND pronamespace = 'public'::regnamespace"
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
    assert unforced == REGION_WIDE
    assert {f.proname for f in definers} == {
        "region_lesson_entry_counts",
        "region_rule_values",
        "region_yearly_items",
        "region_occupancy_counts",
        "region_movement_counts",
        "region_sign_in_counts",
        "claim_report_job",
        "region_quality_counts",
        "due_report_schedules",
        "region_deadline_items",
        "region_completeness_counts",
    }
    for f in definers:
        assert f.proconfig == ["search_path=pg_catalog, public"]
        assert "public." in f.prosrc
        # What the region gets back: organisations, days, codes and counts.
        assert "student_id" not in f.result
        assert "name" not in f.result
        assert "user_id" not in f.result
    assert without_tenant_first - {"outbox", "inbox", "audit_log"} == REGION_WIDE


async def test_the_app_role_sees_no_organisation_without_a_tenant(db: ServiceDatabase) -> None:
    app = Database(create_engine(db.app_url))
    owner = Database(create_engine(db.admin_url))  # a superuser: past the policies
    try:
        async with owner.unscoped_session() as s:
            await s.execute(
                text(
                    "INSERT INTO lessons (tenant_id, lesson_id, group_id, subject_id, teacher_ids, "
                    "day, lesson_number, status, version) VALUES (gen_random_uuid(), "
                    "gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), '{}', "
                    "'2026-10-05', 1, 'scheduled', 1)"
                )
            )
        async with app.unscoped_session() as s:
            assert (await s.execute(text("SELECT count(*) FROM lessons"))).scalar() == 0
            mine = await s.execute(
                text("SELECT * FROM lesson_entry_counts('2026-10-01', '2026-10-31', 'UTC')")
            )
            assert mine.all() == []
            region = await s.execute(
                text("SELECT * FROM region_lesson_entry_counts('2026-10-01', '2026-10-31', 'UTC')")
            )
            assert [r.lessons for r in region.all()] == [1]
    finally:
        await app.dispose()
        await owner.dispose()
