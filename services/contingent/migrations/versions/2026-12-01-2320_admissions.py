"""admissions: campaigns and applicants

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edureg_shared.migrations import tenant_table

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admission_campaigns",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_admission_campaigns"),
        sa.UniqueConstraint("tenant_id", "year", name="uq_admission_campaigns_tenant_id_year"),
    )
    tenant_table("admission_campaigns", service="contingent")
    op.create_table(
        "applicants",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("campaign_id", sa.UUID(), nullable=False),
        sa.Column("surname", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("patronymic", sa.String(length=100), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("citizenship", sa.String(length=3), nullable=False, server_default="RUS"),
        sa.Column("education_level", sa.String(length=20), nullable=False),
        sa.Column("specialty_id", sa.UUID(), nullable=False),
        sa.Column("study_form", sa.String(length=20), nullable=False),
        sa.Column("funding", sa.String(length=10), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("certificate_average", sa.Numeric(3, 2), nullable=False),
        sa.Column("guardian_surname", sa.String(length=100), nullable=True),
        sa.Column("guardian_name", sa.String(length=100), nullable=True),
        sa.Column("guardian_relation", sa.String(length=20), nullable=True),
        sa.Column("guardian_phone", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False, server_default="applied"),
        sa.Column("enrolment_order_id", sa.UUID(), nullable=True),
        sa.Column("student_id", sa.UUID(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "campaign_id"],
            ["admission_campaigns.tenant_id", "admission_campaigns.id"],
            name="fk_applicants_tenant_id_campaign_id_admission_campaigns",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "specialty_id"],
            ["specialties.tenant_id", "specialties.id"],
            name="fk_applicants_tenant_id_specialty_id_specialties",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_applicants"),
    )
    op.create_index(
        "ix_applicants_tenant_id_campaign_id", "applicants", ["tenant_id", "campaign_id"]
    )
    tenant_table("applicants", service="contingent")


def downgrade() -> None:
    op.drop_table("applicants")
    op.drop_table("admission_campaigns")
