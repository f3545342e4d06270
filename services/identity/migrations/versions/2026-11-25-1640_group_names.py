"""curated groups keep the group's name (printed on credential slips)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "curated_groups",
        sa.Column("name", sa.String(length=100), server_default="", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("curated_groups", "name")
