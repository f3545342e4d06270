"""staff: HR cards, qualification courses, and the items of hiring and dismissal orders

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edureg_shared.migrations import tenant_table

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "employees",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("surname", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("patronymic", sa.String(length=100), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=True),
        sa.Column("education", sa.String(length=500), nullable=True),
        sa.Column("qualification", sa.String(length=300), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("hired_on", sa.Date(), nullable=True),
        sa.Column("dismissed_on", sa.Date(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_employees"),
    )
    tenant_table("employees", service="contingent")
    op.create_table(
        "employee_courses",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("employee_id", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("provider", sa.String(length=300), nullable=True),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("finished_on", sa.Date(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "employee_id"],
            ["employees.tenant_id", "employees.id"],
            name="fk_employee_courses_tenant_id_employee_id_employees",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_employee_courses"),
    )
    tenant_table("employee_courses", service="contingent")
    op.create_table(
        "order_staff_items",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("employee_id", sa.UUID(), nullable=False),
        sa.Column("position_code", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "order_id"],
            ["orders.tenant_id", "orders.id"],
            name="fk_order_staff_items_tenant_id_order_id_orders",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "employee_id"],
            ["employees.tenant_id", "employees.id"],
            name="fk_order_staff_items_tenant_id_employee_id_employees",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "order_id", "employee_id", name="pk_order_staff_items"
        ),
    )
    tenant_table("order_staff_items", service="contingent")


def downgrade() -> None:
    op.drop_table("order_staff_items")
    op.drop_table("employee_courses")
    op.drop_table("employees")
