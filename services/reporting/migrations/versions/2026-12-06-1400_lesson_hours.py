"""reporting: the academic hours a lesson counts for (a college's pair: 2)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 14:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE lessons ADD COLUMN hours INTEGER DEFAULT 1 NOT NULL")


def downgrade() -> None:
    op.execute("ALTER TABLE lessons DROP COLUMN hours")
