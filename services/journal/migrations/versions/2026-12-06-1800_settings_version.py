"""journal: the version of an organisation's settings (a save of what was read before
another's is refused)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE journal_settings ADD COLUMN version INTEGER DEFAULT 0 NOT NULL")


def downgrade() -> None:
    op.execute("ALTER TABLE journal_settings DROP COLUMN version")
