"""the organisation's digital profile and every change of it

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edureg_shared.migrations import tenant_table

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_FIELDS = {
    "full_name": 500,
    "short_name": 200,
    "inn": 10,
    "kpp": 9,
    "ogrn": 13,
    "legal_address": 500,
    "actual_address": 500,
    "head_name": 300,
    "head_position": 200,
    "phone": 30,
    "email": 200,
    "website": 200,
    "licence_number": 50,
    "licence_issuer": 300,
    "accreditation_number": 50,
}
DATE_FIELDS = ("licence_date", "accreditation_date", "accreditation_valid_until")


def upgrade() -> None:
    op.create_table(
        "organisation_profiles",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        *(sa.Column(name, sa.String(length=n), nullable=True) for name, n in TEXT_FIELDS.items()),
        *(sa.Column(name, sa.Date(), nullable=True) for name in DATE_FIELDS),
        sa.Column("accredited", sa.Boolean(), nullable=False, server_default="false"),
        sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("updated_by", sa.UUID(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_organisation_profiles"),
    )
    tenant_table("organisation_profiles", service="contingent")
    op.create_table(
        "profile_changes",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.String(length=500), nullable=True),
        sa.Column("new_value", sa.String(length=500), nullable=True),
        sa.Column("changed_by", sa.UUID(), nullable=False),
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_profile_changes"),
    )
    op.create_index(
        "ix_profile_changes_tenant_id_changed_at", "profile_changes", ["tenant_id", "changed_at"]
    )
    # The history is kept: the app adds to it and reads it, never edits it.
    tenant_table("profile_changes", service="contingent", privileges="SELECT, INSERT")


def downgrade() -> None:
    op.drop_table("profile_changes")
    op.drop_table("organisation_profiles")
