"""roster memberships remember the orders that opened and ended them (so a cancelled
order's effects can be undone)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("roster_memberships", sa.Column("opened_by_order_id", sa.UUID(), nullable=True))
    op.add_column("roster_memberships", sa.Column("ended_by_order_id", sa.UUID(), nullable=True))
    op.create_index(
        "ix_roster_memberships_tenant_id_opened_by_order_id",
        "roster_memberships",
        ["tenant_id", "opened_by_order_id"],
    )
    op.create_index(
        "ix_roster_memberships_tenant_id_ended_by_order_id",
        "roster_memberships",
        ["tenant_id", "ended_by_order_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_roster_memberships_tenant_id_ended_by_order_id", "roster_memberships")
    op.drop_index("ix_roster_memberships_tenant_id_opened_by_order_id", "roster_memberships")
    op.drop_column("roster_memberships", "ended_by_order_id")
    op.drop_column("roster_memberships", "opened_by_order_id")
