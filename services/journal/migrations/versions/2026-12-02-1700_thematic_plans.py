"""journal: thematic plans (КТП) — a teacher's ordered topics with hours per subject and
group

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import tenant_table

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("""CREATE TABLE thematic_plans (
    tenant_id UUID NOT NULL,
    id UUID NOT NULL,
    group_id UUID NOT NULL,
    subject_id UUID NOT NULL,
    teacher_user_id UUID NOT NULL,
    title VARCHAR(200) NOT NULL,
    version INTEGER DEFAULT '0' NOT NULL,
    updated_by UUID NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    CONSTRAINT pk_thematic_plans PRIMARY KEY (tenant_id, id)
)""")
    op.execute(
        "CREATE UNIQUE INDEX uq_thematic_plans_owner ON thematic_plans "
        "(tenant_id, group_id, subject_id, teacher_user_id)"
    )
    op.execute("""CREATE TABLE plan_topics (
    tenant_id UUID NOT NULL,
    plan_id UUID NOT NULL,
    position INTEGER NOT NULL,
    title VARCHAR(500) NOT NULL,
    hours INTEGER NOT NULL,
    CONSTRAINT pk_plan_topics PRIMARY KEY (tenant_id, plan_id, position),
    CONSTRAINT fk_plan_topics_tenant_id_plan_id_thematic_plans FOREIGN KEY(tenant_id, plan_id)
        REFERENCES thematic_plans (tenant_id, id)
)""")
    for table in ("thematic_plans", "plan_topics"):
        tenant_table(table, service="journal")


def downgrade() -> None:
    op.drop_table("plan_topics")
    op.drop_table("thematic_plans")
