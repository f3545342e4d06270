"""journal: whose account is which student's or a guardian's (from identity), for the diary;
each group's curator (from contingent)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edureg_shared.migrations import tenant_table

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "learner_links",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("student_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "user_id", "student_id", name=op.f("pk_learner_links")
        ),
    )
    tenant_table("learner_links", service="journal")
    # Each group's curator (from contingent): reads the group's journal across subjects.
    op.create_table(
        "group_curators",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("group_id", sa.UUID(), nullable=False),
        sa.Column("curator_user_id", sa.UUID(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "group_id", name=op.f("pk_group_curators")),
    )
    tenant_table("group_curators", service="journal")


def downgrade() -> None:
    op.drop_table("group_curators")
    op.drop_table("learner_links")
