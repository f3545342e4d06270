"""journal: the academic years and their study periods (from schedule's events), for the
year, exam and final marks

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 15:00:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import tenant_table

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("""CREATE TABLE academic_years (
    tenant_id UUID NOT NULL,
    academic_year_id UUID NOT NULL,
    title VARCHAR(100) NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    CONSTRAINT pk_academic_years PRIMARY KEY (tenant_id, academic_year_id)
)""")
    tenant_table("academic_years", service="journal")
    op.execute("""CREATE TABLE study_periods (
    tenant_id UUID NOT NULL,
    period_id UUID NOT NULL,
    academic_year_id UUID NOT NULL,
    kind VARCHAR(20) NOT NULL,
    number INTEGER NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    scope VARCHAR(60) NOT NULL,
    CONSTRAINT pk_study_periods PRIMARY KEY (tenant_id, period_id)
)""")
    op.execute("CREATE INDEX ix_study_periods_year ON study_periods (tenant_id, academic_year_id)")
    tenant_table("study_periods", service="journal")


def downgrade() -> None:
    op.drop_table("study_periods")
    op.drop_table("academic_years")
