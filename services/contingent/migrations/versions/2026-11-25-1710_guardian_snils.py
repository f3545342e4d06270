"""guardians: СНИЛС (one guardian per number in an organisation) and its keyed hash

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 17:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("guardians", sa.Column("snils", sa.String(length=11), nullable=True))
    op.add_column("guardians", sa.Column("match_key", sa.String(length=64), nullable=True))
    op.create_index(
        "uq_guardians_snils",
        "guardians",
        ["tenant_id", "snils"],
        unique=True,
        postgresql_where=sa.text("snils IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_guardians_snils", table_name="guardians")
    op.drop_column("guardians", "match_key")
    op.drop_column("guardians", "snils")
