"""the organisation's structure: departments, specialties and professions, groups'
specialty, department, study form and funding, and the history of their curators

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edureg_shared.migrations import tenant_table

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_departments"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_departments_tenant_id_name"),
    )
    tenant_table("departments", service="contingent")
    op.create_table(
        "specialties",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("qualification", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("study_form", sa.String(length=20), nullable=False),
        sa.Column("duration_months", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_specialties"),
        sa.UniqueConstraint(
            "tenant_id", "code", "study_form", name="uq_specialties_tenant_id_code_study_form"
        ),
    )
    tenant_table("specialties", service="contingent")
    op.add_column("groups", sa.Column("department_id", sa.UUID(), nullable=True))
    op.add_column("groups", sa.Column("specialty_id", sa.UUID(), nullable=True))
    op.add_column("groups", sa.Column("study_form", sa.String(length=20), nullable=True))
    op.add_column("groups", sa.Column("funding", sa.String(length=20), nullable=True))
    op.create_foreign_key(
        "fk_groups_tenant_id_department_id_departments",
        "groups",
        "departments",
        ["tenant_id", "department_id"],
        ["tenant_id", "id"],
    )
    op.create_foreign_key(
        "fk_groups_tenant_id_specialty_id_specialties",
        "groups",
        "specialties",
        ["tenant_id", "specialty_id"],
        ["tenant_id", "id"],
    )
    op.create_table(
        "curator_changes",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("group_id", sa.UUID(), nullable=False),
        sa.Column("curator_user_id", sa.UUID(), nullable=True),
        sa.Column("previous_user_id", sa.UUID(), nullable=True),
        sa.Column("changed_by", sa.UUID(), nullable=False),
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "group_id"],
            ["groups.tenant_id", "groups.id"],
            name="fk_curator_changes_tenant_id_group_id_groups",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_curator_changes"),
    )
    op.create_index(
        "ix_curator_changes_tenant_id_group_id", "curator_changes", ["tenant_id", "group_id"]
    )
    tenant_table("curator_changes", service="contingent", privileges="SELECT, INSERT")


def downgrade() -> None:
    op.drop_table("curator_changes")
    op.drop_constraint("fk_groups_tenant_id_specialty_id_specialties", "groups")
    op.drop_constraint("fk_groups_tenant_id_department_id_departments", "groups")
    for column in ("funding", "study_form", "specialty_id", "department_id"):
        op.drop_column("groups", column)
    op.drop_table("specialties")
    op.drop_table("departments")
