"""journal: distance-learning details of a lesson (online or not, the platform, the time)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("lessons", sa.Column("delivery", sa.String(length=10), nullable=True))
    op.add_column("lessons", sa.Column("platform", sa.String(length=300), nullable=True))
    op.add_column("lessons", sa.Column("online_starts_at", sa.Time(), nullable=True))


def downgrade() -> None:
    for column in ("online_starts_at", "platform", "delivery"):
        op.drop_column("lessons", column)
