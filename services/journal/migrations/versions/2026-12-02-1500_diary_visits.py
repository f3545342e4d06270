"""journal: when each user last opened each student's diary (what is new since); period
marks found by student (the diary)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import tenant_table

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("""CREATE TABLE diary_visits (
    tenant_id UUID NOT NULL,
    user_id UUID NOT NULL,
    student_id UUID NOT NULL,
    seen_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_diary_visits PRIMARY KEY (tenant_id, user_id, student_id)
)""")
    tenant_table("diary_visits", service="journal")
    op.execute("CREATE INDEX ix_period_marks_student ON period_marks (tenant_id, student_id)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_period_marks_student")
    op.drop_table("diary_visits")
