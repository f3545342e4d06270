"""the region's registry: short name, municipality, status (archived, never deleted)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "organisations",
        sa.Column("short_name", sa.String(length=100), server_default="", nullable=False),
    )
    op.add_column(
        "organisations",
        sa.Column("municipality", sa.String(length=200), server_default="", nullable=False),
    )
    op.add_column(
        "organisations",
        sa.Column("status", sa.String(length=10), server_default="active", nullable=False),
    )
    op.add_column(
        "organisations", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute("UPDATE organisations SET short_name = left(name, 100) WHERE short_name = ''")
    op.create_check_constraint("status", "organisations", "status IN ('active', 'archived')")


def downgrade() -> None:
    op.drop_constraint("ck_organisations_status", "organisations")
    for column in ("archived_at", "status", "municipality", "short_name"):
        op.drop_column("organisations", column)
