"""reporting: reports on a schedule (days of the month), and the function that hands a
worker the schedules due today, each once; the region's calendar corrections keep the
time of their event (an older one never overrides a newer); occupancy counted from the
rosters (transfers, graduations and cancellations included)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 20:00:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import roles, tenant_table

SERVICE = "reporting"

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    r = roles(SERVICE)
    op.execute("""CREATE TABLE report_schedules (
    tenant_id UUID NOT NULL,
    id UUID NOT NULL,
    kind VARCHAR(40) NOT NULL,
    format VARCHAR(10) NOT NULL,
    days SMALLINT[] NOT NULL,
    period_days SMALLINT NOT NULL,
    created_by UUID NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    last_run_on DATE,
    CONSTRAINT pk_report_schedules PRIMARY KEY (tenant_id, id)
)""")
    tenant_table("report_schedules", service=SERVICE)
    op.execute(
        f"CREATE POLICY owner_schedules ON report_schedules TO {r.owner} "
        "USING (true) WITH CHECK (true)"
    )
    # A day past the month's end (the 30th in February) runs on its last day.
    op.execute("""
        CREATE FUNCTION public.due_report_schedules(p_today date)
        RETURNS TABLE (tenant_id uuid, id uuid)
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
          UPDATE public.report_schedules s SET last_run_on = p_today
           WHERE (s.last_run_on IS NULL OR s.last_run_on < p_today)
             AND (extract(day FROM p_today)::smallint = ANY (s.days)
                  OR (extract(day FROM p_today + 1) = 1
                      AND EXISTS (SELECT 1 FROM unnest(s.days) d
                                   WHERE d > extract(day FROM p_today))))
          RETURNING s.tenant_id, s.id
        $$
    """)
    op.execute("ALTER TABLE calendar_days ALTER COLUMN working DROP NOT NULL")
    op.execute("ALTER TABLE calendar_days ADD COLUMN as_of TIMESTAMP WITH TIME ZONE")
    op.execute(f"CREATE POLICY owner_counts ON memberships FOR SELECT TO {r.owner} USING (true)")
    # Students now: those on a roster today, as journal keeps it.
    op.execute("""
        CREATE OR REPLACE FUNCTION public.occupancy_counts()
        RETURNS TABLE (tenant_id uuid, groups bigint, students bigint)
        LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
          SELECT g.tenant_id, count(*) FILTER (WHERE g.name IS NOT NULL),
                 (SELECT count(DISTINCT m.student_id) FROM public.memberships m
                   WHERE m.tenant_id = g.tenant_id AND m.valid_from <= current_date
                     AND (m.valid_to IS NULL OR m.valid_to > current_date))
            FROM public.group_occupancy g GROUP BY g.tenant_id
        $$
    """)
    op.execute("REVOKE ALL ON FUNCTION public.due_report_schedules(date) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION public.due_report_schedules(date) TO {r.app}")


def downgrade() -> None:
    op.execute("DROP POLICY owner_counts ON memberships")
    op.execute("DELETE FROM calendar_days WHERE working IS NULL")
    op.execute("ALTER TABLE calendar_days DROP COLUMN as_of")
    op.execute("ALTER TABLE calendar_days ALTER COLUMN working SET NOT NULL")
    op.execute("DROP FUNCTION public.due_report_schedules(date)")
    op.execute("DROP TABLE report_schedules")
