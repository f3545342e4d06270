"""students' personal files: documents, addresses, СНИЛС, social status, and every change
of them kept field by field

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from edureg_shared.migrations import tenant_table

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    sa.Column("file_number", sa.String(length=30), nullable=True),
    sa.Column("citizenship", sa.String(length=3), nullable=False, server_default="RUS"),
    sa.Column("registration_address", sa.String(length=500), nullable=True),
    sa.Column("residence_address", sa.String(length=500), nullable=True),
    sa.Column("birth_certificate_series", sa.String(length=10), nullable=True),
    sa.Column("birth_certificate_number", sa.String(length=6), nullable=True),
    sa.Column("birth_certificate_issued_on", sa.Date(), nullable=True),
    sa.Column("passport_series", sa.String(length=4), nullable=True),
    sa.Column("passport_number", sa.String(length=6), nullable=True),
    sa.Column("passport_issued_on", sa.Date(), nullable=True),
    sa.Column("passport_issuer", sa.String(length=300), nullable=True),
    sa.Column("snils", sa.String(length=11), nullable=True),
    sa.Column(
        "social_statuses",
        postgresql.ARRAY(sa.String(length=30)),
        nullable=False,
        server_default="{}",
    ),
    sa.Column("foreign_language", sa.String(length=50), nullable=True),
    sa.Column("file_version", sa.Integer(), nullable=False, server_default="0"),
]


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("students", column)
    op.create_index(
        "uq_students_snils",
        "students",
        ["tenant_id", "snils"],
        unique=True,
        postgresql_where=sa.text("snils IS NOT NULL"),
    )
    op.create_index(
        "uq_students_file_number",
        "students",
        ["tenant_id", "file_number"],
        unique=True,
        postgresql_where=sa.text("file_number IS NOT NULL"),
    )
    op.create_table(
        "student_file_changes",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("student_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.String(length=500), nullable=True),
        sa.Column("new_value", sa.String(length=500), nullable=True),
        sa.Column("changed_by", sa.UUID(), nullable=False),
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "student_id"],
            ["students.tenant_id", "students.id"],
            name="fk_student_file_changes_tenant_id_student_id_students",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_student_file_changes"),
    )
    op.create_index(
        "ix_student_file_changes_tenant_id_student_id",
        "student_file_changes",
        ["tenant_id", "student_id"],
    )
    tenant_table("student_file_changes", service="contingent", privileges="SELECT, INSERT")


def downgrade() -> None:
    op.drop_table("student_file_changes")
    op.drop_index("uq_students_file_number", table_name="students")
    op.drop_index("uq_students_snils", table_name="students")
    for column in reversed(COLUMNS):
        op.drop_column("students", column.name)
