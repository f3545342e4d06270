"""reporting: the report constructor's saved definitions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 20:30:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import tenant_table

SERVICE = "reporting"

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("""CREATE TABLE report_definitions (
    tenant_id UUID NOT NULL,
    id UUID NOT NULL,
    title VARCHAR(200) NOT NULL,
    definition JSONB NOT NULL,
    created_by UUID NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    CONSTRAINT pk_report_definitions PRIMARY KEY (tenant_id, id)
)""")
    tenant_table("report_definitions", service=SERVICE)


def downgrade() -> None:
    op.execute("DROP TABLE report_definitions")
