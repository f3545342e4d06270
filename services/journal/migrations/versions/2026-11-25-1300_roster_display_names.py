"""rosters keep each student's display name

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "roster_memberships",
        sa.Column("display_name", sa.String(length=210), server_default="", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("roster_memberships", "display_name")
