"""journal: period marks (quarter/half/semester, year, exam, final, coursework,
qualification exam) per student, group, subject and period

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edureg_shared.migrations import tenant_table

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "period_marks",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("group_id", sa.UUID(), nullable=False),
        sa.Column("subject_id", sa.UUID(), nullable=False),
        sa.Column("period_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("student_id", sa.UUID(), nullable=False),
        sa.Column("value", sa.String(length=4), nullable=False),
        sa.Column("set_by", sa.UUID(), nullable=False),
        sa.Column(
            "set_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id",
            "group_id",
            "subject_id",
            "period_id",
            "kind",
            "student_id",
            name=op.f("pk_period_marks"),
        ),
    )
    tenant_table("period_marks", service="journal")
    # Schedule's version of each lesson: a late, older event changes nothing.
    op.add_column(
        "lessons", sa.Column("source_version", sa.Integer(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("lessons", "source_version")
    op.drop_table("period_marks")
