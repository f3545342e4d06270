"""the movement book's every order type: student history, cancellations, closed groups,
order numbers unique per organisation and year

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edureg_shared.migrations import tenant_table

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("groups", sa.Column("closed_on", sa.Date(), nullable=True))
    op.add_column("orders", sa.Column("cancels_order_id", sa.UUID(), nullable=True))
    op.add_column("orders", sa.Column("cancelled_by_order_id", sa.UUID(), nullable=True))
    op.add_column("order_items", sa.Column("from_group_id", sa.UUID(), nullable=True))
    op.add_column("order_items", sa.Column("leave_until", sa.Date(), nullable=True))
    op.drop_constraint("uq_orders_tenant_id_number", "orders", type_="unique")
    op.execute(
        "CREATE UNIQUE INDEX uq_orders_year_number "
        "ON orders (tenant_id, number, (date_part('year', order_date)))"
    )
    op.create_table(
        "student_movements",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("student_id", sa.UUID(), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("from_group_id", sa.UUID(), nullable=True),
        sa.Column("to_group_id", sa.UUID(), nullable=False),
        sa.Column("cancelled_by_order_id", sa.UUID(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "student_id"],
            ["students.tenant_id", "students.id"],
            name="fk_student_movements_tenant_id_student_id_students",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "order_id"],
            ["orders.tenant_id", "orders.id"],
            name="fk_student_movements_tenant_id_order_id_orders",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_student_movements"),
        sa.UniqueConstraint(
            "tenant_id",
            "student_id",
            "order_id",
            name="uq_student_movements_tenant_id_student_id_order_id",
        ),
    )
    op.create_index(
        "ix_student_movements_tenant_id_order_id", "student_movements", ["tenant_id", "order_id"]
    )
    tenant_table("student_movements", service="contingent")
    # The history of students enrolled or expelled before it was kept.
    op.execute("""
        INSERT INTO student_movements (tenant_id, id, student_id, order_id, kind,
            effective_date, from_status, to_status, from_group_id, to_group_id, seq)
        SELECT i.tenant_id, gen_random_uuid(), i.student_id, o.id, o.kind, o.effective_date,
               CASE o.kind WHEN 'enrolment' THEN 'pending' ELSE 'active' END,
               CASE o.kind WHEN 'enrolment' THEN 'active' ELSE 'expelled' END,
               CASE o.kind WHEN 'enrolment' THEN NULL ELSE i.group_id END, i.group_id,
               CASE o.kind WHEN 'enrolment' THEN 1 ELSE 2 END
        FROM order_items i JOIN orders o ON o.tenant_id = i.tenant_id AND o.id = i.order_id
        WHERE o.status = 'signed'
    """)


def downgrade() -> None:
    op.drop_table("student_movements")
    op.execute("DROP INDEX uq_orders_year_number")
    op.create_unique_constraint("uq_orders_tenant_id_number", "orders", ["tenant_id", "number"])
    op.drop_column("order_items", "leave_until")
    op.drop_column("order_items", "from_group_id")
    op.drop_column("orders", "cancelled_by_order_id")
    op.drop_column("orders", "cancels_order_id")
    op.drop_column("groups", "closed_on")
