"""reporting: a scheduled report is marked run and its job queued in one statement
(nothing is lost if the worker stops between the two)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 21:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("""
        CREATE OR REPLACE FUNCTION public.due_report_schedules(p_today date)
        RETURNS TABLE (tenant_id uuid, id uuid)
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
          WITH due AS (
            UPDATE public.report_schedules s SET last_run_on = p_today
             WHERE (s.last_run_on IS NULL OR s.last_run_on < p_today)
               AND (extract(day FROM p_today)::smallint = ANY (s.days)
                    OR (extract(day FROM p_today + 1) = 1
                        AND EXISTS (SELECT 1 FROM unnest(s.days) d
                                     WHERE d > extract(day FROM p_today))))
            RETURNING s.tenant_id, s.kind, s.format, s.period_days, s.created_by
          )
          INSERT INTO public.report_jobs
                 (tenant_id, id, kind, format, params, status, requested_by)
          SELECT due.tenant_id, gen_random_uuid(), due.kind, due.format,
                 jsonb_build_object('from', (p_today - due.period_days + 1)::text,
                                    'to', p_today::text),
                 'queued', due.created_by
            FROM due
          RETURNING report_jobs.tenant_id, report_jobs.id
        $$
    """)


def downgrade() -> None:
    op.execute("""
        CREATE OR REPLACE FUNCTION public.due_report_schedules(p_today date)
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
