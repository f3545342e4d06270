"""journal: subgroup membership with dates (who was in which half on each day), and the
version of each subgroup's definition (a late older one changes nothing)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 16:00:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import tenant_table

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Members known so far were members from the subgroup's start.
    op.execute("ALTER TABLE subgroup_members ADD COLUMN since DATE NOT NULL DEFAULT '0001-01-01'")
    op.execute("ALTER TABLE subgroup_members ALTER COLUMN since DROP DEFAULT")
    op.execute("ALTER TABLE subgroup_members ADD COLUMN until DATE")
    op.execute("ALTER TABLE subgroup_members DROP CONSTRAINT pk_subgroup_members")
    op.execute(
        "ALTER TABLE subgroup_members ADD CONSTRAINT pk_subgroup_members "
        "PRIMARY KEY (tenant_id, subgroup_id, student_id, since)"
    )
    op.execute(
        "CREATE INDEX ix_subgroup_members_student ON subgroup_members (tenant_id, student_id)"
    )
    op.execute("""CREATE TABLE subgroup_versions (
    tenant_id UUID NOT NULL,
    subgroup_id UUID NOT NULL,
    as_of TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_subgroup_versions PRIMARY KEY (tenant_id, subgroup_id)
)""")
    tenant_table("subgroup_versions", service="journal")


def downgrade() -> None:
    op.drop_table("subgroup_versions")
    op.execute("DROP INDEX ix_subgroup_members_student")
    op.execute("DELETE FROM subgroup_members WHERE until IS NOT NULL")
    op.execute("ALTER TABLE subgroup_members DROP CONSTRAINT pk_subgroup_members")
    op.execute("ALTER TABLE subgroup_members DROP COLUMN until")
    op.execute("ALTER TABLE subgroup_members DROP COLUMN since")
    op.execute(
        "ALTER TABLE subgroup_members ADD CONSTRAINT pk_subgroup_members "
        "PRIMARY KEY (tenant_id, subgroup_id, student_id)"
    )
