"""imports: of staff cards too (the job's kind)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "import_jobs",
        sa.Column("kind", sa.String(length=10), nullable=False, server_default="students"),
    )


def downgrade() -> None:
    op.drop_column("import_jobs", "kind")
