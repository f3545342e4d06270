"""journal: removed load kept as a tombstone and the newest event's time on load and
curators, so that an older event arriving late (a retry) cannot restore what was taken

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE teaching ADD COLUMN removed BOOLEAN DEFAULT false NOT NULL")
    op.execute(
        "ALTER TABLE teaching ADD COLUMN as_of TIMESTAMP WITH TIME ZONE DEFAULT 'epoch' NOT NULL"
    )
    op.execute(
        "ALTER TABLE group_curators ADD COLUMN as_of TIMESTAMP WITH TIME ZONE DEFAULT 'epoch' NOT NULL"
    )


def downgrade() -> None:
    op.execute("DELETE FROM teaching WHERE removed")
    op.execute("ALTER TABLE teaching DROP COLUMN removed")
    op.execute("ALTER TABLE teaching DROP COLUMN as_of")
    op.execute("ALTER TABLE group_curators DROP COLUMN as_of")
