"""reporting: success and quality of knowledge counted per organisation (students with a
result, those without a 2, those with only 4s and 5s), for the organisation and, counts
only, for the region; whose account is which student's (a student's reports)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 19:30:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import roles, tenant_table

SERVICE = "reporting"

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ARGS = "p_from date, p_to date, p_five numeric, p_four numeric, p_three numeric"
TYPES = "date, date, numeric, numeric, numeric"
# A student's result in a subject: the mark the weighted average of the range's
# five-point marks suggests (docs/reports.md); success: no result below 3; quality: none
# below 4.
BODY = """
WITH cell AS (
  SELECT tenant_id, student_id, subject_id,
         sum(value::int * weight)::numeric / sum(weight) AS average
    FROM public.marks
   WHERE day BETWEEN p_from AND p_to AND value IN ('1', '2', '3', '4', '5')
   GROUP BY 1, 2, 3
), student AS (
  SELECT tenant_id, student_id,
         bool_and(average >= p_three) AS passed, bool_and(average >= p_four) AS good
    FROM cell GROUP BY 1, 2
)
SELECT tenant_id, count(*), count(*) FILTER (WHERE passed), count(*) FILTER (WHERE good)
  FROM student GROUP BY 1
"""


def upgrade() -> None:
    r = roles(SERVICE)
    op.execute("""CREATE TABLE account_links (
    tenant_id UUID NOT NULL,
    user_id UUID NOT NULL,
    student_id UUID NOT NULL,
    kind VARCHAR(20) NOT NULL,
    CONSTRAINT pk_account_links PRIMARY KEY (tenant_id, user_id, student_id)
)""")
    op.execute(
        "CREATE INDEX ix_account_links_tenant_id_student_id ON account_links (tenant_id, student_id)"
    )
    tenant_table("account_links", service=SERVICE)
    op.execute("CREATE POLICY owner_counts ON marks FOR SELECT TO " + r.owner + " USING (true)")
    result = "tenant_id uuid, rated bigint, succeeded bigint, good bigint"
    op.execute(
        f"CREATE FUNCTION public.quality_counts({ARGS}) RETURNS TABLE ({result}) "
        f"LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$ {BODY} $$"
    )
    op.execute(
        f"CREATE FUNCTION public.region_quality_counts({ARGS}) RETURNS TABLE ({result}) "
        "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public "
        "AS $$ SELECT * FROM public.quality_counts(p_from, p_to, p_five, p_four, p_three) $$"
    )
    for fn in ("quality_counts", "region_quality_counts"):
        op.execute(f"REVOKE ALL ON FUNCTION public.{fn}({TYPES}) FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION public.{fn}({TYPES}) TO {r.app}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION public.region_quality_counts({TYPES})")
    op.execute(f"DROP FUNCTION public.quality_counts({TYPES})")
    op.execute("DROP POLICY owner_counts ON marks")
    op.execute("DROP TABLE account_links")
