"""refresh tokens: rotated at every use, a reused one revokes its whole family

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edureg_shared.migrations import tenant_table

SERVICE = "identity"

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refresh_tokens",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("family_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        # SHA-256 of the token's secret part: the token itself is never stored.
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_refresh_tokens")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_refresh_tokens_tenant_id_user_id_users"),
        ),
    )
    op.create_index(
        "uq_refresh_tokens_token_hash", "refresh_tokens", ["tenant_id", "token_hash"], unique=True
    )
    op.create_index(
        op.f("ix_refresh_tokens_tenant_id_family_id"), "refresh_tokens", ["tenant_id", "family_id"]
    )
    op.create_index(
        op.f("ix_refresh_tokens_tenant_id_user_id"), "refresh_tokens", ["tenant_id", "user_id"]
    )
    tenant_table("refresh_tokens", service=SERVICE)


def downgrade() -> None:
    op.drop_table("refresh_tokens")
