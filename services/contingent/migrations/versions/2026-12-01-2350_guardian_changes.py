"""guardians' contacts corrected by the office, every change kept

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edureg_shared.migrations import tenant_table

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("guardians", sa.Column("email", sa.String(length=200), nullable=True))
    op.create_table(
        "guardian_changes",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("guardian_id", sa.UUID(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.String(length=500), nullable=True),
        sa.Column("new_value", sa.String(length=500), nullable=True),
        sa.Column("changed_by", sa.UUID(), nullable=False),
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "guardian_id"],
            ["guardians.tenant_id", "guardians.id"],
            name="fk_guardian_changes_tenant_id_guardian_id_guardians",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_guardian_changes"),
    )
    tenant_table("guardian_changes", service="contingent", privileges="SELECT, INSERT")


def downgrade() -> None:
    op.drop_table("guardian_changes")
    op.drop_column("guardians", "email")
