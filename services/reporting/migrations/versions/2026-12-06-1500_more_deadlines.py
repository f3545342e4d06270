"""reporting: five more deadlines computed — orders entered, accounts created, period
and year marks set, thematic plans by September — from when each movement was recorded,
each account provisioned, each plan first saved; one counting function for them
(`deadline_items`), read by an organisation under its row-level security and, counts
only, by the region

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 15:00:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import roles, tenant_table

SERVICE = "reporting"

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ARGS = "p_from date, p_to date, p_tz text"
TYPES = "date, date, text"
RESULT = "tenant_id uuid, code text, starts_on date, done_on date, items bigint"
# Tables the function reads on the region's behalf that had no policy for it yet.
COUNTED = (
    "periods",
    "period_marks",
    "account_links",
    "teaching_load",
    "plan_saves",
    "absence_documents",
    "students",
)
# Each item: the day it became due (`starts_on`) and the day it was done (null: not yet).
# - orders: an order (number and date) is due from its date, done when recorded;
# - accounts: an enrolled student's account is due from the enrolment's recording, done
#   when identity provisioned it;
# - period_marks: a group's subject in a period is due at the period's end, done when
#   every student on the roster that day has the period's mark (the last one's day);
# - year_marks: the same for the year's mark, due at the year's last period's end;
# - thematic_plans: a group's subject with load in a year is due from the year's start
#   ("by the N-th of September"), done when its plan was first saved with topics;
# - personal_files: an enrolled student's file is due from the enrolment's recording,
#   done when it was first complete (contingent's count of what it lacks reached 0);
#   students whose file's completeness was never announced are not counted;
# - absence_reasons: an absence corrected on a document is due from the document's day,
#   done when the class teacher corrected it (an absence with no document brought has
#   nothing to be judged by).
LIST_RESULT = (
    "tenant_id uuid, code text, group_id uuid, subject_id uuid, label text, "
    "starts_on date, done_on date"
)
# The items themselves (the organisation's drill-down, under its own row-level
# security: groups, subjects, order numbers — no child); `deadline_items` counts them.
LIST_BODY = """
WITH orders AS (
  SELECT tenant_id, order_number, order_date AS starts_on,
         min(recorded_at AT TIME ZONE p_tz)::date AS done_on
    FROM public.movement_log
   WHERE recorded_at IS NOT NULL AND order_date BETWEEN p_from AND p_to
   GROUP BY tenant_id, order_number, order_date
), accounts AS (
  SELECT m.tenant_id, m.group_id, (m.recorded_at AT TIME ZONE p_tz)::date AS starts_on,
         (SELECT min(a.provisioned_at AT TIME ZONE p_tz)::date FROM public.account_links a
           WHERE a.tenant_id = m.tenant_id AND a.student_id = m.student_id
             AND a.kind = 'student') AS done_on
    FROM public.movement_log m
   WHERE m.kind = 'enrolled' AND m.recorded_at IS NOT NULL
     AND (m.recorded_at AT TIME ZONE p_tz)::date BETWEEN p_from AND p_to
), period_sheets AS (
  SELECT DISTINCT l.tenant_id, l.group_id, l.subject_id, p.period_id, p.ends_on
    FROM public.periods p
    JOIN public.lessons l ON l.tenant_id = p.tenant_id AND l.period_id = p.period_id
   WHERE p.ends_on BETWEEN p_from AND p_to AND l.status = 'scheduled'
), year_ends AS (
  SELECT tenant_id, academic_year_id, max(ends_on) AS ends_on
    FROM public.periods GROUP BY 1, 2
), year_sheets AS (
  SELECT DISTINCT l.tenant_id, l.group_id, l.subject_id, y.academic_year_id AS period_id,
         y.ends_on
    FROM year_ends y
    JOIN public.periods p ON p.tenant_id = y.tenant_id AND p.academic_year_id = y.academic_year_id
    JOIN public.lessons l ON l.tenant_id = p.tenant_id AND l.period_id = p.period_id
   WHERE y.ends_on BETWEEN p_from AND p_to AND l.status = 'scheduled'
), sheets AS (
  SELECT 'period_marks' AS code, s.*, 'period' AS kind FROM period_sheets s
  UNION ALL
  SELECT 'year_marks', s.*, 'year' FROM year_sheets s
), plans AS (
  SELECT DISTINCT tl.tenant_id, y.starts_on, tl.group_id, tl.subject_id
    FROM public.academic_years y
    JOIN public.periods p ON p.tenant_id = y.tenant_id AND p.academic_year_id = y.academic_year_id
    JOIN public.teaching_load tl
      ON tl.tenant_id = p.tenant_id AND tl.period_id = p.period_id AND tl.active
   WHERE y.starts_on <= p_to AND y.ends_on >= p_from
), judged AS (
  SELECT s.tenant_id, s.code, s.group_id, s.subject_id, s.ends_on AS starts_on,
         (SELECT count(*) FROM public.memberships r
           WHERE r.tenant_id = s.tenant_id AND r.group_id = s.group_id
             AND r.valid_from <= s.ends_on
             AND (r.valid_to IS NULL OR r.valid_to > s.ends_on)) AS roster,
         (SELECT count(DISTINCT pm.student_id) FROM public.period_marks pm
           WHERE pm.tenant_id = s.tenant_id AND pm.group_id = s.group_id
             AND pm.subject_id = s.subject_id AND pm.period_id = s.period_id
             AND pm.kind = s.kind AND pm.value IS NOT NULL
             AND EXISTS (SELECT 1 FROM public.memberships r
                          WHERE r.tenant_id = pm.tenant_id AND r.group_id = pm.group_id
                            AND r.student_id = pm.student_id AND r.valid_from <= s.ends_on
                            AND (r.valid_to IS NULL OR r.valid_to > s.ends_on))) AS marked,
         (SELECT max(coalesce(pm.first_set_at, pm.as_of) AT TIME ZONE p_tz)::date
            FROM public.period_marks pm
           WHERE pm.tenant_id = s.tenant_id AND pm.group_id = s.group_id
             AND pm.subject_id = s.subject_id AND pm.period_id = s.period_id
             AND pm.kind = s.kind AND pm.value IS NOT NULL) AS last_on
    FROM sheets s
)
SELECT tenant_id, 'orders'::text, NULL::uuid, NULL::uuid, order_number::text, starts_on, done_on
  FROM orders
UNION ALL
SELECT tenant_id, 'accounts'::text, group_id, NULL::uuid, NULL::text, starts_on, done_on
  FROM accounts
UNION ALL
SELECT tenant_id, code::text, group_id, subject_id, NULL::text, starts_on,
       CASE WHEN roster > 0 AND marked >= roster THEN last_on END
  FROM judged WHERE roster > 0
UNION ALL
SELECT m.tenant_id, 'personal_files'::text, m.group_id, NULL::uuid, NULL::text,
       (m.recorded_at AT TIME ZONE p_tz)::date,
       (st.file_complete_at AT TIME ZONE p_tz)::date
  FROM public.movement_log m
  JOIN public.students st ON st.tenant_id = m.tenant_id AND st.student_id = m.student_id
 WHERE m.kind = 'enrolled' AND m.recorded_at IS NOT NULL AND st.file_as_of IS NOT NULL
   AND (m.recorded_at AT TIME ZONE p_tz)::date BETWEEN p_from AND p_to
UNION ALL
SELECT a.tenant_id, 'absence_reasons'::text, a.group_id, NULL::uuid, NULL::text,
       a.document_on, (a.corrected_at AT TIME ZONE p_tz)::date
  FROM public.absence_documents a
 WHERE a.document_on BETWEEN p_from AND p_to
UNION ALL
SELECT pl.tenant_id, 'thematic_plans'::text, pl.group_id, pl.subject_id, NULL::text,
       pl.starts_on, (ps.first_saved_at AT TIME ZONE p_tz)::date
  FROM plans pl
  LEFT JOIN public.plan_saves ps
    ON ps.tenant_id = pl.tenant_id AND ps.group_id = pl.group_id
   AND ps.subject_id = pl.subject_id
"""
BODY = """
SELECT tenant_id, code, starts_on, done_on, count(*)
  FROM public.deadline_item_list(p_from, p_to, p_tz) GROUP BY 1, 2, 3, 4
"""


def upgrade() -> None:
    r = roles(SERVICE)
    op.execute("ALTER TABLE movement_log ADD COLUMN recorded_at TIMESTAMP WITH TIME ZONE")
    op.execute("ALTER TABLE account_links ADD COLUMN provisioned_at TIMESTAMP WITH TIME ZONE")
    op.execute("ALTER TABLE period_marks ADD COLUMN first_set_at TIMESTAMP WITH TIME ZONE")
    # How complete a personal file is (contingent's count), and when it was first complete.
    op.execute("ALTER TABLE students ADD COLUMN file_missing INTEGER")
    op.execute("ALTER TABLE students ADD COLUMN file_as_of TIMESTAMP WITH TIME ZONE")
    op.execute("ALTER TABLE students ADD COLUMN file_complete_at TIMESTAMP WITH TIME ZONE")
    op.execute("""CREATE TABLE plan_saves (
    tenant_id UUID NOT NULL,
    group_id UUID NOT NULL,
    subject_id UUID NOT NULL,
    first_saved_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_plan_saves PRIMARY KEY (tenant_id, group_id, subject_id)
)""")
    tenant_table("plan_saves", service=SERVICE)
    op.execute("""CREATE TABLE absence_documents (
    tenant_id UUID NOT NULL,
    lesson_id UUID NOT NULL,
    student_id UUID NOT NULL,
    group_id UUID NOT NULL,
    document_on DATE NOT NULL,
    corrected_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_absence_documents PRIMARY KEY (tenant_id, lesson_id, student_id)
)""")
    tenant_table("absence_documents", service=SERVICE)
    for table in COUNTED:
        op.execute(f"CREATE POLICY owner_counts ON {table} FOR SELECT TO {r.owner} USING (true)")
    op.execute(
        f"CREATE FUNCTION public.deadline_item_list({ARGS}) RETURNS TABLE ({LIST_RESULT}) "
        f"LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$ {LIST_BODY} $$"
    )
    op.execute(
        f"CREATE FUNCTION public.deadline_items({ARGS}) RETURNS TABLE ({RESULT}) "
        f"LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$ {BODY} $$"
    )
    op.execute(
        f"CREATE FUNCTION public.region_deadline_items({ARGS}) RETURNS TABLE ({RESULT}) "
        "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public "
        "AS $$ SELECT * FROM public.deadline_items(p_from, p_to, p_tz) $$"
    )
    for fn in ("deadline_item_list", "deadline_items", "region_deadline_items"):
        op.execute(f"REVOKE ALL ON FUNCTION public.{fn}({TYPES}) FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION public.{fn}({TYPES}) TO {r.app}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION public.region_deadline_items({TYPES})")
    op.execute(f"DROP FUNCTION public.deadline_items({TYPES})")
    op.execute(f"DROP FUNCTION public.deadline_item_list({TYPES})")
    for table in COUNTED:
        op.execute(f"DROP POLICY owner_counts ON {table}")
    op.execute("DROP TABLE absence_documents")
    op.execute("DROP TABLE plan_saves")
    for column in ("file_complete_at", "file_as_of", "file_missing"):
        op.execute(f"ALTER TABLE students DROP COLUMN {column}")
    op.execute("ALTER TABLE period_marks DROP COLUMN first_set_at")
    op.execute("ALTER TABLE account_links DROP COLUMN provisioned_at")
    op.execute("ALTER TABLE movement_log DROP COLUMN recorded_at")
