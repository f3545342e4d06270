"""journal: files attached to a lesson's homework

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 14:00:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import tenant_table

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("""CREATE TABLE homework_files (
    tenant_id UUID NOT NULL,
    id UUID NOT NULL,
    lesson_id UUID NOT NULL,
    name VARCHAR(160) NOT NULL,
    media_type VARCHAR(120) NOT NULL,
    size INTEGER NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    content BYTEA NOT NULL,
    uploaded_by UUID NOT NULL,
    uploaded_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    CONSTRAINT pk_homework_files PRIMARY KEY (tenant_id, id),
    CONSTRAINT fk_homework_files_tenant_id_lesson_id_lessons FOREIGN KEY (tenant_id, lesson_id)
        REFERENCES lessons (tenant_id, id)
)""")
    op.execute("CREATE INDEX ix_homework_files_lesson ON homework_files (tenant_id, lesson_id)")
    tenant_table("homework_files", service="journal", privileges="SELECT, INSERT, DELETE")


def downgrade() -> None:
    op.drop_table("homework_files")
