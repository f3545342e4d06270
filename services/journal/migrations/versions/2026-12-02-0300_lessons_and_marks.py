"""journal: lessons from schedule (with topic, homework, the grid's version and when each
part was entered), who teaches what (load), subgroups' members, marks, attendance and
every change of them

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 03:00:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import tenant_table

SERVICE = "journal"

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("journal_changes", "lessons", "subgroup_members", "teaching", "attendance", "marks")


def upgrade() -> None:
    op.execute(
        """
CREATE TABLE journal_changes (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	lesson_id UUID NOT NULL,
	student_id UUID NOT NULL,
	what VARCHAR(10) NOT NULL,
	work_type VARCHAR(30),
	"old" JSONB,
	"new" JSONB,
	changed_by UUID NOT NULL,
	changed_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	CONSTRAINT pk_journal_changes PRIMARY KEY (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE INDEX ix_journal_changes_lesson ON journal_changes (tenant_id, lesson_id)
"""
    )
    op.execute(
        """
CREATE INDEX ix_journal_changes_student ON journal_changes (tenant_id, student_id)
"""
    )
    op.execute(
        """
CREATE TABLE lessons (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	group_id UUID NOT NULL,
	subgroup_id UUID,
	subject_id UUID NOT NULL,
	subject VARCHAR(200) NOT NULL,
	teacher_ids UUID[] NOT NULL,
	day DATE NOT NULL,
	lesson_number INTEGER NOT NULL,
	starts_at TIME WITHOUT TIME ZONE NOT NULL,
	ends_at TIME WITHOUT TIME ZONE NOT NULL,
	room VARCHAR(130),
	period_id UUID,
	status VARCHAR(10) NOT NULL,
	flagged BOOLEAN DEFAULT 'false' NOT NULL,
	topic VARCHAR(500),
	homework VARCHAR(2000),
	version INTEGER DEFAULT '0' NOT NULL,
	topic_entered_at TIMESTAMP WITH TIME ZONE,
	marks_entered_at TIMESTAMP WITH TIME ZONE,
	attendance_entered_at TIMESTAMP WITH TIME ZONE,
	CONSTRAINT pk_lessons PRIMARY KEY (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE INDEX ix_lessons_group_day ON lessons (tenant_id, group_id, day)
"""
    )
    op.execute(
        """
CREATE INDEX ix_lessons_teachers ON lessons USING gin (teacher_ids)
"""
    )
    op.execute(
        """
CREATE TABLE subgroup_members (
	tenant_id UUID NOT NULL,
	subgroup_id UUID NOT NULL,
	student_id UUID NOT NULL,
	CONSTRAINT pk_subgroup_members PRIMARY KEY (tenant_id, subgroup_id, student_id)
)
"""
    )
    op.execute(
        """
CREATE TABLE teaching (
	tenant_id UUID NOT NULL,
	load_id UUID NOT NULL,
	teacher_user_id UUID NOT NULL,
	subject_id UUID NOT NULL,
	group_id UUID NOT NULL,
	subgroup_id UUID,
	period_id UUID NOT NULL,
	CONSTRAINT pk_teaching PRIMARY KEY (tenant_id, load_id)
)
"""
    )
    op.execute(
        """
CREATE INDEX ix_teaching_teacher ON teaching (tenant_id, teacher_user_id)
"""
    )
    op.execute(
        """
CREATE TABLE attendance (
	tenant_id UUID NOT NULL,
	lesson_id UUID NOT NULL,
	student_id UUID NOT NULL,
	code VARCHAR(10) NOT NULL,
	reason VARCHAR(300),
	updated_by UUID NOT NULL,
	updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	CONSTRAINT pk_attendance PRIMARY KEY (tenant_id, lesson_id, student_id),
	CONSTRAINT fk_attendance_tenant_id_lesson_id_lessons FOREIGN KEY(tenant_id, lesson_id) REFERENCES lessons (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE INDEX ix_attendance_student ON attendance (tenant_id, student_id)
"""
    )
    op.execute(
        """
CREATE TABLE marks (
	tenant_id UUID NOT NULL,
	lesson_id UUID NOT NULL,
	student_id UUID NOT NULL,
	work_type VARCHAR(30) NOT NULL,
	value VARCHAR(4) NOT NULL,
	weight INTEGER NOT NULL,
	updated_by UUID NOT NULL,
	updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	CONSTRAINT pk_marks PRIMARY KEY (tenant_id, lesson_id, student_id, work_type),
	CONSTRAINT fk_marks_tenant_id_lesson_id_lessons FOREIGN KEY(tenant_id, lesson_id) REFERENCES lessons (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE INDEX ix_marks_student ON marks (tenant_id, student_id)
"""
    )
    for table in TABLES:
        # The history of marks is written and read, never altered (who changed what).
        privileges = (
            "SELECT, INSERT" if table == "journal_changes" else "SELECT, INSERT, UPDATE, DELETE"
        )
        tenant_table(table, service=SERVICE, privileges=privileges)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
