"""the region's corrections to the production calendar, as schedule announces them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edureg_shared.migrations import roles

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One region, one calendar: not an organisation's rows (kept from
    # `schedule.working_calendar.changed`; nothing personal).
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_days")),
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON calendar_days TO {roles('identity').app}")


def downgrade() -> None:
    op.drop_table("calendar_days")
