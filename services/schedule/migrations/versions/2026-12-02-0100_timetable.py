"""schedule: holidays, period schemes per group or parallel, the groups and students as
schedule sees them, rooms, subjects and curricula, load and subgroups, bells, the weekly
timetable and dated lessons with their changes, exam sessions, publications, calendar
feeds, settings, and the region's corrections to the production calendar

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import roles, tenant_table

SERVICE = "schedule"

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = (
    "bell_schedules",
    "calendar_feeds",
    "group_members",
    "groups",
    "learner_links",
    "rooms",
    "settings",
    "subjects",
    "teachers",
    "curricula",
    "exam_sessions",
    "holidays",
    "lessons",
    "publications",
    "subgroups",
    "curriculum_lines",
    "exam_events",
    "lesson_changes",
    "load_items",
    "subgroup_members",
    "timetable_weeks",
    "timetable_entries",
)


def upgrade() -> None:
    op.execute("ALTER TABLE study_periods ADD COLUMN scope VARCHAR(60) DEFAULT 'all' NOT NULL")
    op.execute("ALTER TABLE study_periods ADD COLUMN ended_announced_at TIMESTAMP WITH TIME ZONE")
    op.execute(
        "ALTER TABLE study_periods DROP CONSTRAINT uq_study_periods_tenant_id_academic_year_id_number"
    )
    op.execute(
        "ALTER TABLE study_periods ADD CONSTRAINT "
        "uq_study_periods_tenant_id_academic_year_id_scope_number "
        "UNIQUE (tenant_id, academic_year_id, scope, number)"
    )
    op.execute(
        """
CREATE TABLE bell_schedules (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	shift INTEGER NOT NULL,
	day_type VARCHAR(20) NOT NULL,
	bells JSONB NOT NULL,
	CONSTRAINT pk_bell_schedules PRIMARY KEY (tenant_id, id),
	CONSTRAINT uq_bell_schedules_tenant_id_shift_day_type UNIQUE (tenant_id, shift, day_type)
)
"""
    )
    op.execute(
        """
CREATE TABLE calendar_days (
	day DATE NOT NULL,
	working BOOLEAN NOT NULL,
	note TEXT DEFAULT '' NOT NULL,
	changed_by UUID NOT NULL,
	changed_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	CONSTRAINT pk_calendar_days PRIMARY KEY (day)
)
"""
    )
    op.execute(
        """
CREATE TABLE calendar_feeds (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	user_id UUID NOT NULL,
	group_id UUID,
	secret_hash VARCHAR(64) NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	revoked_at TIMESTAMP WITH TIME ZONE,
	CONSTRAINT pk_calendar_feeds PRIMARY KEY (tenant_id, id),
	CONSTRAINT uq_calendar_feeds_tenant_id_secret_hash UNIQUE (tenant_id, secret_hash)
)
"""
    )
    op.execute(
        """
CREATE TABLE group_members (
	tenant_id UUID NOT NULL,
	student_id UUID NOT NULL,
	group_id UUID NOT NULL,
	display_name VARCHAR(200) NOT NULL,
	since DATE NOT NULL,
	active BOOLEAN DEFAULT 'true' NOT NULL,
	CONSTRAINT pk_group_members PRIMARY KEY (tenant_id, student_id)
)
"""
    )
    op.execute(
        """
CREATE INDEX ix_group_members_group ON group_members (tenant_id, group_id)
"""
    )
    op.execute(
        """
CREATE TABLE groups (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	name VARCHAR(50) NOT NULL,
	grade INTEGER NOT NULL,
	academic_year VARCHAR(9) NOT NULL,
	curator_user_id UUID,
	closed_on DATE,
	shift INTEGER DEFAULT '1' NOT NULL,
	curriculum_id UUID,
	CONSTRAINT pk_groups PRIMARY KEY (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE TABLE learner_links (
	tenant_id UUID NOT NULL,
	user_id UUID NOT NULL,
	student_id UUID NOT NULL,
	kind VARCHAR(10) NOT NULL,
	CONSTRAINT pk_learner_links PRIMARY KEY (tenant_id, user_id, student_id)
)
"""
    )
    op.execute(
        """
CREATE TABLE rooms (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	number VARCHAR(20) NOT NULL,
	building VARCHAR(100) DEFAULT '' NOT NULL,
	capacity INTEGER NOT NULL,
	kind VARCHAR(20) NOT NULL,
	CONSTRAINT pk_rooms PRIMARY KEY (tenant_id, id),
	CONSTRAINT uq_rooms_tenant_id_building_number UNIQUE (tenant_id, building, number)
)
"""
    )
    op.execute(
        """
CREATE TABLE settings (
	tenant_id UUID NOT NULL,
	soft_clashes VARCHAR(10) DEFAULT 'error' NOT NULL,
	hours_per_lesson INTEGER DEFAULT '1' NOT NULL,
	CONSTRAINT pk_settings PRIMARY KEY (tenant_id)
)
"""
    )
    op.execute(
        """
CREATE TABLE subjects (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	name VARCHAR(200) NOT NULL,
	kind VARCHAR(20) NOT NULL,
	code VARCHAR(20),
	cycle VARCHAR(100),
	parent_id UUID,
	CONSTRAINT pk_subjects PRIMARY KEY (tenant_id, id),
	CONSTRAINT uq_subjects_tenant_id_name UNIQUE (tenant_id, name),
	CONSTRAINT fk_subjects_tenant_id_parent_id_subjects FOREIGN KEY(tenant_id, parent_id) REFERENCES subjects (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE UNIQUE INDEX uq_subjects_code ON subjects (tenant_id, code) WHERE code IS NOT NULL
"""
    )
    op.execute(
        """
CREATE TABLE teachers (
	tenant_id UUID NOT NULL,
	user_id UUID NOT NULL,
	display_name VARCHAR(200) NOT NULL,
	CONSTRAINT pk_teachers PRIMARY KEY (tenant_id, user_id)
)
"""
    )
    op.execute(
        """
CREATE TABLE curricula (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	title VARCHAR(200) NOT NULL,
	academic_year_id UUID NOT NULL,
	grade INTEGER,
	profile VARCHAR(100),
	specialty_code VARCHAR(12),
	max_class_hours INTEGER,
	total_class_hours INTEGER DEFAULT '0' NOT NULL,
	version INTEGER DEFAULT '1' NOT NULL,
	CONSTRAINT pk_curricula PRIMARY KEY (tenant_id, id),
	CONSTRAINT fk_curricula_tenant_id_academic_year_id_academic_years FOREIGN KEY(tenant_id, academic_year_id) REFERENCES academic_years (tenant_id, id),
	CONSTRAINT uq_curricula_tenant_id_title UNIQUE (tenant_id, title)
)
"""
    )
    op.execute(
        """
CREATE TABLE exam_sessions (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	academic_year_id UUID NOT NULL,
	group_id UUID NOT NULL,
	title VARCHAR(200) NOT NULL,
	starts_on DATE NOT NULL,
	ends_on DATE NOT NULL,
	CONSTRAINT pk_exam_sessions PRIMARY KEY (tenant_id, id),
	CONSTRAINT fk_exam_sessions_tenant_id_academic_year_id_academic_years FOREIGN KEY(tenant_id, academic_year_id) REFERENCES academic_years (tenant_id, id),
	CONSTRAINT fk_exam_sessions_tenant_id_group_id_groups FOREIGN KEY(tenant_id, group_id) REFERENCES groups (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE TABLE holidays (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	academic_year_id UUID NOT NULL,
	title VARCHAR(200) NOT NULL,
	starts_on DATE NOT NULL,
	ends_on DATE NOT NULL,
	grades INTEGER[],
	CONSTRAINT pk_holidays PRIMARY KEY (tenant_id, id),
	CONSTRAINT fk_holidays_tenant_id_academic_year_id_academic_years FOREIGN KEY(tenant_id, academic_year_id) REFERENCES academic_years (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE TABLE lessons (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	group_id UUID NOT NULL,
	subgroup_id UUID,
	entry_id UUID,
	period_id UUID,
	day DATE NOT NULL,
	planned_day DATE,
	lesson_number INTEGER NOT NULL,
	starts_at TIME WITHOUT TIME ZONE NOT NULL,
	ends_at TIME WITHOUT TIME ZONE NOT NULL,
	subject_id UUID NOT NULL,
	teacher_ids UUID[] NOT NULL,
	room_id UUID,
	status VARCHAR(10) DEFAULT 'scheduled' NOT NULL,
	extra BOOLEAN DEFAULT 'false' NOT NULL,
	changed BOOLEAN DEFAULT 'false' NOT NULL,
	version INTEGER DEFAULT '1' NOT NULL,
	CONSTRAINT pk_lessons PRIMARY KEY (tenant_id, id),
	CONSTRAINT fk_lessons_tenant_id_group_id_groups FOREIGN KEY(tenant_id, group_id) REFERENCES groups (tenant_id, id),
	CONSTRAINT fk_lessons_tenant_id_subject_id_subjects FOREIGN KEY(tenant_id, subject_id) REFERENCES subjects (tenant_id, id),
	CONSTRAINT fk_lessons_tenant_id_room_id_rooms FOREIGN KEY(tenant_id, room_id) REFERENCES rooms (tenant_id, id),
	CONSTRAINT uq_lessons_tenant_id_entry_id_planned_day UNIQUE (tenant_id, entry_id, planned_day)
)
"""
    )
    op.execute(
        """
CREATE INDEX ix_lessons_day ON lessons (tenant_id, day)
"""
    )
    op.execute(
        """
CREATE INDEX ix_lessons_teachers ON lessons USING gin (teacher_ids)
"""
    )
    op.execute(
        """
CREATE INDEX ix_lessons_group_day ON lessons (tenant_id, group_id, day)
"""
    )
    op.execute(
        """
CREATE TABLE publications (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	academic_year_id UUID NOT NULL,
	what VARCHAR(20) NOT NULL,
	published_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	published_by UUID NOT NULL,
	CONSTRAINT pk_publications PRIMARY KEY (tenant_id, id),
	CONSTRAINT fk_publications_tenant_id_academic_year_id_academic_years FOREIGN KEY(tenant_id, academic_year_id) REFERENCES academic_years (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE TABLE subgroups (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	group_id UUID NOT NULL,
	name VARCHAR(100) NOT NULL,
	CONSTRAINT pk_subgroups PRIMARY KEY (tenant_id, id),
	CONSTRAINT uq_subgroups_tenant_id_group_id_name UNIQUE (tenant_id, group_id, name),
	CONSTRAINT fk_subgroups_tenant_id_group_id_groups FOREIGN KEY(tenant_id, group_id) REFERENCES groups (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE TABLE curriculum_lines (
	tenant_id UUID NOT NULL,
	curriculum_id UUID NOT NULL,
	subject_id UUID NOT NULL,
	period_number INTEGER NOT NULL,
	lecture_hours INTEGER NOT NULL,
	practical_hours INTEGER NOT NULL,
	self_study_hours INTEGER NOT NULL,
	assessment VARCHAR(30) NOT NULL,
	CONSTRAINT pk_curriculum_lines PRIMARY KEY (tenant_id, curriculum_id, subject_id, period_number),
	CONSTRAINT fk_curriculum_lines_tenant_id_curriculum_id_curricula FOREIGN KEY(tenant_id, curriculum_id) REFERENCES curricula (tenant_id, id),
	CONSTRAINT fk_curriculum_lines_tenant_id_subject_id_subjects FOREIGN KEY(tenant_id, subject_id) REFERENCES subjects (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE TABLE exam_events (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	session_id UUID NOT NULL,
	kind VARCHAR(20) NOT NULL,
	subject_id UUID NOT NULL,
	day DATE NOT NULL,
	starts_at TIME WITHOUT TIME ZONE NOT NULL,
	ends_at TIME WITHOUT TIME ZONE NOT NULL,
	room_id UUID,
	examiner_ids UUID[] NOT NULL,
	CONSTRAINT pk_exam_events PRIMARY KEY (tenant_id, id),
	CONSTRAINT fk_exam_events_tenant_id_session_id_exam_sessions FOREIGN KEY(tenant_id, session_id) REFERENCES exam_sessions (tenant_id, id),
	CONSTRAINT fk_exam_events_tenant_id_subject_id_subjects FOREIGN KEY(tenant_id, subject_id) REFERENCES subjects (tenant_id, id),
	CONSTRAINT fk_exam_events_tenant_id_room_id_rooms FOREIGN KEY(tenant_id, room_id) REFERENCES rooms (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE TABLE lesson_changes (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	lesson_id UUID NOT NULL,
	day DATE NOT NULL,
	kind VARCHAR(20) NOT NULL,
	reason VARCHAR(500) NOT NULL,
	before JSONB NOT NULL,
	after JSONB NOT NULL,
	notified UUID[] NOT NULL,
	changed_by UUID NOT NULL,
	changed_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	CONSTRAINT pk_lesson_changes PRIMARY KEY (tenant_id, id),
	CONSTRAINT fk_lesson_changes_tenant_id_lesson_id_lessons FOREIGN KEY(tenant_id, lesson_id) REFERENCES lessons (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE INDEX ix_lesson_changes_day ON lesson_changes (tenant_id, day)
"""
    )
    op.execute(
        """
CREATE TABLE load_items (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	teacher_user_id UUID NOT NULL,
	subject_id UUID NOT NULL,
	group_id UUID NOT NULL,
	subgroup_id UUID,
	period_id UUID NOT NULL,
	hours INTEGER NOT NULL,
	CONSTRAINT pk_load_items PRIMARY KEY (tenant_id, id),
	CONSTRAINT fk_load_items_tenant_id_subject_id_subjects FOREIGN KEY(tenant_id, subject_id) REFERENCES subjects (tenant_id, id),
	CONSTRAINT fk_load_items_tenant_id_group_id_groups FOREIGN KEY(tenant_id, group_id) REFERENCES groups (tenant_id, id),
	CONSTRAINT fk_load_items_tenant_id_subgroup_id_subgroups FOREIGN KEY(tenant_id, subgroup_id) REFERENCES subgroups (tenant_id, id),
	CONSTRAINT fk_load_items_tenant_id_period_id_study_periods FOREIGN KEY(tenant_id, period_id) REFERENCES study_periods (tenant_id, id),
	CONSTRAINT uq_load_items_tenant_id_teacher_user_id_subject_id_grou_cc41 UNIQUE NULLS NOT DISTINCT (tenant_id, teacher_user_id, subject_id, group_id, subgroup_id, period_id)
)
"""
    )
    op.execute(
        """
CREATE TABLE subgroup_members (
	tenant_id UUID NOT NULL,
	subgroup_id UUID NOT NULL,
	student_id UUID NOT NULL,
	CONSTRAINT pk_subgroup_members PRIMARY KEY (tenant_id, subgroup_id, student_id),
	CONSTRAINT fk_subgroup_members_tenant_id_subgroup_id_subgroups FOREIGN KEY(tenant_id, subgroup_id) REFERENCES subgroups (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE TABLE timetable_weeks (
	tenant_id UUID NOT NULL,
	group_id UUID NOT NULL,
	period_id UUID NOT NULL,
	version INTEGER NOT NULL,
	saved_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	saved_by UUID NOT NULL,
	generated_at TIMESTAMP WITH TIME ZONE,
	CONSTRAINT pk_timetable_weeks PRIMARY KEY (tenant_id, group_id, period_id),
	CONSTRAINT fk_timetable_weeks_tenant_id_group_id_groups FOREIGN KEY(tenant_id, group_id) REFERENCES groups (tenant_id, id),
	CONSTRAINT fk_timetable_weeks_tenant_id_period_id_study_periods FOREIGN KEY(tenant_id, period_id) REFERENCES study_periods (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE TABLE timetable_entries (
	tenant_id UUID NOT NULL,
	id UUID NOT NULL,
	group_id UUID NOT NULL,
	period_id UUID NOT NULL,
	weekday INTEGER NOT NULL,
	lesson_number INTEGER NOT NULL,
	parity VARCHAR(5) NOT NULL,
	subject_id UUID NOT NULL,
	teacher_ids UUID[] NOT NULL,
	room_id UUID,
	subgroup_id UUID,
	CONSTRAINT pk_timetable_entries PRIMARY KEY (tenant_id, id),
	CONSTRAINT fk_timetable_entries_tenant_id_group_id_period_id_timet_9921 FOREIGN KEY(tenant_id, group_id, period_id) REFERENCES timetable_weeks (tenant_id, group_id, period_id) ON DELETE CASCADE,
	CONSTRAINT fk_timetable_entries_tenant_id_subject_id_subjects FOREIGN KEY(tenant_id, subject_id) REFERENCES subjects (tenant_id, id),
	CONSTRAINT fk_timetable_entries_tenant_id_room_id_rooms FOREIGN KEY(tenant_id, room_id) REFERENCES rooms (tenant_id, id),
	CONSTRAINT fk_timetable_entries_tenant_id_subgroup_id_subgroups FOREIGN KEY(tenant_id, subgroup_id) REFERENCES subgroups (tenant_id, id)
)
"""
    )
    op.execute(
        """
CREATE INDEX ix_timetable_entries_period ON timetable_entries (tenant_id, period_id)
"""
    )
    for table in TENANT_TABLES:
        tenant_table(table, service=SERVICE)
    # One region, one production calendar: not an organisation's rows. Every
    # organisation's staff read it; only the regional administrator's requests change it
    # (checked by the route's permission).
    r = roles(SERVICE)
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON calendar_days TO {r.app}")
    # The periods whose end has passed and is not announced yet, of every organisation:
    # ids only, for the watcher that announces `period.ended` (it then works inside each
    # organisation's own scope).
    op.execute(
        f"CREATE POLICY owner_lists_ended ON study_periods FOR SELECT TO {r.owner} "
        "USING (ended_announced_at IS NULL)"
    )
    op.execute(
        """
        CREATE FUNCTION public.schedule_periods_ended(p_today date, p_limit integer)
        RETURNS TABLE(tenant_id uuid, period_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT p.tenant_id, p.id FROM public.study_periods p
            WHERE p.ends_on < p_today AND p.ended_announced_at IS NULL
            ORDER BY p.ends_on, p.tenant_id LIMIT p_limit
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION public.schedule_periods_ended(date, integer) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION public.schedule_periods_ended(date, integer) TO {r.app}")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS public.schedule_periods_ended(date, integer)")
    op.execute("DROP POLICY IF EXISTS owner_lists_ended ON study_periods")
    for table in reversed(("calendar_days", *TENANT_TABLES)):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    op.execute(
        "ALTER TABLE study_periods DROP CONSTRAINT "
        "uq_study_periods_tenant_id_academic_year_id_scope_number"
    )
    op.execute(
        "ALTER TABLE study_periods ADD CONSTRAINT "
        "uq_study_periods_tenant_id_academic_year_id_number "
        "UNIQUE (tenant_id, academic_year_id, number)"
    )
    op.execute("ALTER TABLE study_periods DROP COLUMN ended_announced_at")
    op.execute("ALTER TABLE study_periods DROP COLUMN scope")
