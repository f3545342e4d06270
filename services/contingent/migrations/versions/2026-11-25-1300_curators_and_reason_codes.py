"""groups get a curator; expulsion reasons become catalogue codes

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
    op.add_column("groups", sa.Column("curator_user_id", sa.UUID(), nullable=True))
    op.add_column("orders", sa.Column("reason_code", sa.String(length=30), nullable=True))
    op.alter_column("orders", "reason", new_column_name="reason_comment")
    # Orders signed before the catalogue keep their text as the comment.
    op.execute("UPDATE orders SET reason_code = 'other' WHERE kind = 'expulsion'")


def downgrade() -> None:
    op.alter_column("orders", "reason_comment", new_column_name="reason")
    op.drop_column("orders", "reason_code")
    op.drop_column("groups", "curator_user_id")
