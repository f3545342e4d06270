"""reporting: data completeness per organisation — personal files complete, groups with
a curriculum, groups with a timetable (lessons in the dates), subjects of the load with a
thematic plan, the organisation's card complete; read by an organisation under its row-level security and,
counts only, by the region

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 16:00:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import roles

SERVICE = "reporting"

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ARGS = "p_from date, p_to date"
TYPES = "date, date"
RESULT = "tenant_id uuid, what text, filled bigint, total bigint"
# Groups counted: named ones with students. Plans: a group's subject with load in a
# period overlapping the dates. The card: its newest save.
BODY = """
SELECT g.tenant_id, 'curricula'::text, count(*) FILTER (WHERE g.has_curriculum), count(*)
  FROM public.group_occupancy g
 WHERE g.name IS NOT NULL AND g.active_students > 0
 GROUP BY 1
UNION ALL
SELECT g.tenant_id, 'timetables'::text,
       count(*) FILTER (WHERE EXISTS (
         SELECT 1 FROM public.lessons l
          WHERE l.tenant_id = g.tenant_id AND l.group_id = g.group_id
            AND l.day BETWEEN p_from AND p_to AND l.status = 'scheduled')),
       count(*)
  FROM public.group_occupancy g
 WHERE g.name IS NOT NULL AND g.active_students > 0
 GROUP BY 1
UNION ALL
SELECT x.tenant_id, 'thematic_plans'::text, count(*) FILTER (WHERE x.planned), count(*)
  FROM (
    SELECT DISTINCT tl.tenant_id, tl.group_id, tl.subject_id,
           EXISTS (SELECT 1 FROM public.plan_saves ps
                    WHERE ps.tenant_id = tl.tenant_id AND ps.group_id = tl.group_id
                      AND ps.subject_id = tl.subject_id) AS planned
      FROM public.teaching_load tl
      JOIN public.periods p ON p.tenant_id = tl.tenant_id AND p.period_id = tl.period_id
     WHERE tl.active AND p.starts_on <= p_to AND p.ends_on >= p_from
  ) x
 GROUP BY 1
UNION ALL
SELECT st.tenant_id, 'personal_files'::text, count(*) FILTER (WHERE st.file_missing = 0),
       count(*)
  FROM public.students st
 WHERE st.file_missing IS NOT NULL
   AND EXISTS (SELECT 1 FROM public.memberships m
                WHERE m.tenant_id = st.tenant_id AND m.student_id = st.student_id
                  AND m.valid_to IS NULL)
 GROUP BY 1
UNION ALL
SELECT s.tenant_id, 'profile'::text, s.complete::int::bigint, 1::bigint
  FROM (SELECT DISTINCT ON (tenant_id) tenant_id, complete FROM public.profile_saves
         ORDER BY tenant_id, saved_at DESC) s
"""


def upgrade() -> None:
    r = roles(SERVICE)
    op.execute(
        "ALTER TABLE group_occupancy ADD COLUMN has_curriculum BOOLEAN DEFAULT false NOT NULL"
    )
    op.execute("ALTER TABLE group_occupancy ADD COLUMN curriculum_as_of TIMESTAMP WITH TIME ZONE")
    op.execute(
        f"CREATE FUNCTION public.completeness_counts({ARGS}) RETURNS TABLE ({RESULT}) "
        f"LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$ {BODY} $$"
    )
    op.execute(
        f"CREATE FUNCTION public.region_completeness_counts({ARGS}) RETURNS TABLE ({RESULT}) "
        "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public "
        "AS $$ SELECT * FROM public.completeness_counts(p_from, p_to) $$"
    )
    for fn in ("completeness_counts", "region_completeness_counts"):
        op.execute(f"REVOKE ALL ON FUNCTION public.{fn}({TYPES}) FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION public.{fn}({TYPES}) TO {r.app}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION public.region_completeness_counts({TYPES})")
    op.execute(f"DROP FUNCTION public.completeness_counts({TYPES})")
    op.execute("ALTER TABLE group_occupancy DROP COLUMN curriculum_as_of")
    op.execute("ALTER TABLE group_occupancy DROP COLUMN has_curriculum")
