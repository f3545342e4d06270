"""journal: academic years and study periods applied by their events' time (an older
definition arriving late changes nothing)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 20:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("academic_years", "study_periods"):
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN as_of TIMESTAMP WITH TIME ZONE DEFAULT 'epoch' NOT NULL"
        )


def downgrade() -> None:
    for table in ("academic_years", "study_periods"):
        op.execute(f"ALTER TABLE {table} DROP COLUMN as_of")
