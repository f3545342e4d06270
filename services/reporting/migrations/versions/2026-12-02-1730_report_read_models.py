"""reporting: the read models of the reports — students' names, rosters, subjects,
periods, lessons and their entry times, teaching load, marks, attendance, period marks;
the curator of a group

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 17:30:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import tenant_table

SERVICE = "reporting"
TABLES = [
    "students",
    "memberships",
    "subjects",
    "periods",
    "lessons",
    "lesson_entries",
    "teaching_load",
    "marks",
    "attendance",
    "period_marks",
]

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE group_occupancy ADD COLUMN curator_user_id UUID")
    op.execute("ALTER TABLE group_occupancy ADD COLUMN curator_as_of TIMESTAMP WITH TIME ZONE")
    op.execute("""CREATE TABLE students (
    tenant_id UUID NOT NULL,
    student_id UUID NOT NULL,
    display_name VARCHAR(200) NOT NULL,
    as_of TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_students PRIMARY KEY (tenant_id, student_id)
)""")
    op.execute("""CREATE TABLE memberships (
    tenant_id UUID NOT NULL,
    group_id UUID NOT NULL,
    student_id UUID NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,
    CONSTRAINT pk_memberships PRIMARY KEY (tenant_id, group_id, student_id, valid_from)
)""")
    op.execute(
        """CREATE INDEX ix_memberships_tenant_id_group_id_valid_from ON memberships (tenant_id, group_id, valid_from)"""
    )
    op.execute("""CREATE TABLE subjects (
    tenant_id UUID NOT NULL,
    subject_id UUID NOT NULL,
    name VARCHAR(200) NOT NULL,
    CONSTRAINT pk_subjects PRIMARY KEY (tenant_id, subject_id)
)""")
    op.execute("""CREATE TABLE periods (
    tenant_id UUID NOT NULL,
    period_id UUID NOT NULL,
    academic_year_id UUID NOT NULL,
    kind VARCHAR(20) NOT NULL,
    number SMALLINT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    scope VARCHAR(60) NOT NULL,
    CONSTRAINT pk_periods PRIMARY KEY (tenant_id, period_id)
)""")
    op.execute("""CREATE TABLE lessons (
    tenant_id UUID NOT NULL,
    lesson_id UUID NOT NULL,
    group_id UUID NOT NULL,
    subgroup_id UUID,
    subject_id UUID NOT NULL,
    teacher_ids UUID[] NOT NULL,
    day DATE NOT NULL,
    lesson_number SMALLINT NOT NULL,
    period_id UUID,
    status VARCHAR(20) NOT NULL,
    version INTEGER NOT NULL,
    CONSTRAINT pk_lessons PRIMARY KEY (tenant_id, lesson_id)
)""")
    op.execute(
        """CREATE INDEX ix_lessons_tenant_id_group_id_day ON lessons (tenant_id, group_id, day)"""
    )
    op.execute("""CREATE TABLE lesson_entries (
    tenant_id UUID NOT NULL,
    lesson_id UUID NOT NULL,
    group_id UUID NOT NULL,
    subject_id UUID NOT NULL,
    day DATE NOT NULL,
    entered_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_lesson_entries PRIMARY KEY (tenant_id, lesson_id)
)""")
    op.execute(
        """CREATE INDEX ix_lesson_entries_tenant_id_group_id_day ON lesson_entries (tenant_id, group_id, day)"""
    )
    op.execute("""CREATE TABLE teaching_load (
    tenant_id UUID NOT NULL,
    load_id UUID NOT NULL,
    teacher_user_id UUID NOT NULL,
    subject_id UUID NOT NULL,
    group_id UUID NOT NULL,
    period_id UUID NOT NULL,
    hours INTEGER NOT NULL,
    active BOOLEAN NOT NULL,
    as_of TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_teaching_load PRIMARY KEY (tenant_id, load_id)
)""")
    op.execute(
        """CREATE INDEX ix_teaching_load_tenant_id_teacher_user_id ON teaching_load (tenant_id, teacher_user_id)"""
    )
    op.execute("""CREATE TABLE marks (
    tenant_id UUID NOT NULL,
    lesson_id UUID NOT NULL,
    student_id UUID NOT NULL,
    work_type VARCHAR(40) NOT NULL,
    group_id UUID NOT NULL,
    subject_id UUID NOT NULL,
    day DATE NOT NULL,
    value VARCHAR(4),
    weight SMALLINT NOT NULL,
    as_of TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_marks PRIMARY KEY (tenant_id, lesson_id, student_id, work_type)
)""")
    op.execute(
        """CREATE INDEX ix_marks_tenant_id_group_id_day ON marks (tenant_id, group_id, day)"""
    )
    op.execute("""CREATE TABLE attendance (
    tenant_id UUID NOT NULL,
    lesson_id UUID NOT NULL,
    student_id UUID NOT NULL,
    group_id UUID NOT NULL,
    subject_id UUID NOT NULL,
    day DATE NOT NULL,
    code VARCHAR(10),
    as_of TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_attendance PRIMARY KEY (tenant_id, lesson_id, student_id)
)""")
    op.execute(
        """CREATE INDEX ix_attendance_tenant_id_group_id_day ON attendance (tenant_id, group_id, day)"""
    )
    op.execute("""CREATE TABLE period_marks (
    tenant_id UUID NOT NULL,
    student_id UUID NOT NULL,
    subject_id UUID NOT NULL,
    period_id UUID NOT NULL,
    kind VARCHAR(20) NOT NULL,
    group_id UUID NOT NULL,
    value VARCHAR(4),
    as_of TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_period_marks PRIMARY KEY (tenant_id, student_id, subject_id, period_id, kind)
)""")
    op.execute(
        """CREATE INDEX ix_period_marks_tenant_id_group_id_period_id ON period_marks (tenant_id, group_id, period_id)"""
    )
    for table in TABLES:
        tenant_table(table, service=SERVICE)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE {table}")
    op.execute("ALTER TABLE group_occupancy DROP COLUMN curator_as_of")
    op.execute("ALTER TABLE group_occupancy DROP COLUMN curator_user_id")
