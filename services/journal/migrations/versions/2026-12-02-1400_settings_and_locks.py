"""journal: an organisation's work types and journal settings; study periods locked when
they end, reopened by an administrator with a reason

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import tenant_table

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERVICE = "journal"


def upgrade() -> None:
    op.execute("""CREATE TABLE work_types (
    tenant_id UUID NOT NULL,
    code VARCHAR(30) NOT NULL,
    title VARCHAR(100) NOT NULL,
    weight INTEGER NOT NULL,
    active BOOLEAN DEFAULT 'true' NOT NULL,
    position INTEGER DEFAULT '0' NOT NULL,
    CONSTRAINT pk_work_types PRIMARY KEY (tenant_id, code)
)""")
    op.execute("""CREATE TABLE journal_settings (
    tenant_id UUID NOT NULL,
    threshold_five NUMERIC(3, 2) NOT NULL,
    threshold_four NUMERIC(3, 2) NOT NULL,
    threshold_three NUMERIC(3, 2) NOT NULL,
    management_edits BOOLEAN DEFAULT 'false' NOT NULL,
    curator_sets_period_marks BOOLEAN DEFAULT 'false' NOT NULL,
    updated_by UUID NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    CONSTRAINT pk_journal_settings PRIMARY KEY (tenant_id)
)""")
    op.execute("""CREATE TABLE period_locks (
    tenant_id UUID NOT NULL,
    period_id UUID NOT NULL,
    kind VARCHAR(20) NOT NULL,
    number INTEGER NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    locked BOOLEAN NOT NULL,
    changed_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    CONSTRAINT pk_period_locks PRIMARY KEY (tenant_id, period_id)
)""")
    op.execute("""CREATE TABLE period_lock_changes (
    tenant_id UUID NOT NULL,
    id UUID NOT NULL,
    period_id UUID NOT NULL,
    action VARCHAR(10) NOT NULL,
    reason VARCHAR(500),
    changed_by UUID,
    changed_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    CONSTRAINT pk_period_lock_changes PRIMARY KEY (tenant_id, id)
)""")
    op.execute(
        "CREATE INDEX ix_period_lock_changes_period ON period_lock_changes (tenant_id, period_id)"
    )
    for table in ("work_types", "journal_settings", "period_locks"):
        tenant_table(table, service=SERVICE)
    # The reasons of reopening are a record: never changed, never deleted.
    tenant_table("period_lock_changes", service=SERVICE, privileges="SELECT, INSERT")


def downgrade() -> None:
    for table in ("period_lock_changes", "period_locks", "journal_settings", "work_types"):
        op.drop_table(table)
