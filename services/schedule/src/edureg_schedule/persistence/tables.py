from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from edureg_shared.db import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _tenant() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True)


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


def _fk(column: str, table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"])


UUIDS = ARRAY(UUID(as_uuid=True))


class AcademicYear(Base):
    __tablename__ = "academic_years"
    __table_args__ = (UniqueConstraint("tenant_id", "title"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(String(9))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StudyPeriod(Base):
    __tablename__ = "study_periods"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "academic_year_id"], ["academic_years.tenant_id", "academic_years.id"]
        ),
        UniqueConstraint("tenant_id", "academic_year_id", "scope", "number"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    academic_year_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # Whom the period is for: "all" (the year's default scheme), "grade:5" (a parallel)
    # or "group:<id>" (one group: a college group with its own semesters).
    scope: Mapped[str] = mapped_column(String(60), server_default="all")
    # When `schedule.period.ended` was announced for it (journal locks the period).
    ended_announced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Holiday(Base):
    """School holidays (каникулы) of a year: for every grade, or for some (the extra
    holidays of the first grade)."""

    __tablename__ = "holidays"
    __table_args__ = (_fk("academic_year_id", "academic_years"),)

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _id()
    academic_year_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    grades: Mapped[list[int] | None] = mapped_column(ARRAY(Integer))


class Group(Base):
    """A group or class as schedule knows it (from contingent's events), with what the
    timetable adds: its shift and its curriculum."""

    __tablename__ = "groups"

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    grade: Mapped[int] = mapped_column(Integer)
    academic_year: Mapped[str] = mapped_column(String(9))
    curator_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    closed_on: Mapped[date | None] = mapped_column(Date)
    shift: Mapped[int] = mapped_column(Integer, server_default="1")
    curriculum_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class GroupMember(Base):
    """Where each student is now (from the movement events): for group sizes, subgroups
    and the students' own timetables."""

    __tablename__ = "group_members"
    __table_args__ = (Index("ix_group_members_group", "tenant_id", "group_id"),)

    tenant_id: Mapped[uuid.UUID] = _tenant()
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    display_name: Mapped[str] = mapped_column(String(200))
    since: Mapped[date] = mapped_column(Date)
    # False once they left (expelled, graduated, on leave): the name stays for a
    # cancelled order that brings them back.
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")


class LearnerLink(Base):
    """Which account is which student's, or a guardian of which student (from identity's
    `accounts.provisioned`): "my timetable" for students and parents."""

    __tablename__ = "learner_links"

    tenant_id: Mapped[uuid.UUID] = _tenant()
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))


class Teacher(Base):
    """A staff account that teaches (its display name, as the load was given)."""

    __tablename__ = "teachers"

    tenant_id: Mapped[uuid.UUID] = _tenant()
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("tenant_id", "building", "number"),)

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _id()
    number: Mapped[str] = mapped_column(String(20))
    building: Mapped[str] = mapped_column(String(100), server_default="")
    capacity: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))


class Subject(Base):
    __tablename__ = "subjects"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        _fk("parent_id", "subjects"),
        Index(
            "uq_subjects_code",
            "tenant_id",
            "code",
            unique=True,
            postgresql_where=text("code IS NOT NULL"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _id()
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str | None] = mapped_column(String(20))
    cycle: Mapped[str | None] = mapped_column(String(100))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class Curriculum(Base):
    """A curriculum: of a programme (college: the specialty's code) or of a parallel and
    profile (school), for one academic year."""

    __tablename__ = "curricula"
    __table_args__ = (
        _fk("academic_year_id", "academic_years"),
        UniqueConstraint("tenant_id", "title"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _id()
    title: Mapped[str] = mapped_column(String(200))
    academic_year_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    grade: Mapped[int | None] = mapped_column(Integer)
    profile: Mapped[str | None] = mapped_column(String(100))
    specialty_code: Mapped[str | None] = mapped_column(String(12))
    max_class_hours: Mapped[int | None] = mapped_column(Integer)
    total_class_hours: Mapped[int] = mapped_column(Integer, server_default="0")
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class CurriculumLine(Base):
    __tablename__ = "curriculum_lines"
    __table_args__ = (_fk("curriculum_id", "curricula"), _fk("subject_id", "subjects"))

    tenant_id: Mapped[uuid.UUID] = _tenant()
    curriculum_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    period_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    lecture_hours: Mapped[int] = mapped_column(Integer)
    practical_hours: Mapped[int] = mapped_column(Integer)
    self_study_hours: Mapped[int] = mapped_column(Integer)
    assessment: Mapped[str] = mapped_column(String(30))


class Subgroup(Base):
    __tablename__ = "subgroups"
    __table_args__ = (UniqueConstraint("tenant_id", "group_id", "name"), _fk("group_id", "groups"))

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _id()
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    name: Mapped[str] = mapped_column(String(100))


class SubgroupMember(Base):
    __tablename__ = "subgroup_members"
    __table_args__ = (_fk("subgroup_id", "subgroups"),)

    tenant_id: Mapped[uuid.UUID] = _tenant()
    subgroup_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)


class LoadItem(Base):
    """Teaching load: a teacher × subject × group (or subgroup) × period, in hours."""

    __tablename__ = "load_items"
    __table_args__ = (
        _fk("subject_id", "subjects"),
        _fk("group_id", "groups"),
        _fk("subgroup_id", "subgroups"),
        _fk("period_id", "study_periods"),
        UniqueConstraint(
            "tenant_id",
            "teacher_user_id",
            "subject_id",
            "group_id",
            "subgroup_id",
            "period_id",
            postgresql_nulls_not_distinct=True,
        ),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _id()
    teacher_user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subgroup_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    period_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    hours: Mapped[int] = mapped_column(Integer)


class BellSchedule(Base):
    __tablename__ = "bell_schedules"
    __table_args__ = (UniqueConstraint("tenant_id", "shift", "day_type"),)

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _id()
    shift: Mapped[int] = mapped_column(Integer)
    day_type: Mapped[str] = mapped_column(String(20))
    # [{"number": 1, "starts_at": "08:30", "ends_at": "09:15"}, ...]
    bells: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)


class TimetableWeek(Base):
    """A group's weekly template for a period, saved whole, with a version (two editors
    of one week: the second is told)."""

    __tablename__ = "timetable_weeks"
    __table_args__ = (_fk("group_id", "groups"), _fk("period_id", "study_periods"))

    tenant_id: Mapped[uuid.UUID] = _tenant()
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    period_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    saved_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    generated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TimetableEntry(Base):
    __tablename__ = "timetable_entries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "group_id", "period_id"],
            ["timetable_weeks.tenant_id", "timetable_weeks.group_id", "timetable_weeks.period_id"],
            ondelete="CASCADE",
        ),
        _fk("subject_id", "subjects"),
        _fk("room_id", "rooms"),
        _fk("subgroup_id", "subgroups"),
        Index("ix_timetable_entries_period", "tenant_id", "period_id"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _id()
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    period_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    weekday: Mapped[int] = mapped_column(Integer)
    lesson_number: Mapped[int] = mapped_column(Integer)
    parity: Mapped[str] = mapped_column(String(5))
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    teacher_ids: Mapped[list[uuid.UUID]] = mapped_column(UUIDS)
    room_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    subgroup_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class Lesson(Base):
    """A dated lesson: generated from the week, or an extra one; changed one-off with a
    reason (lesson_changes keeps each change)."""

    __tablename__ = "lessons"
    __table_args__ = (
        _fk("group_id", "groups"),
        _fk("subject_id", "subjects"),
        _fk("room_id", "rooms"),
        UniqueConstraint("tenant_id", "entry_id", "planned_day"),
        Index("ix_lessons_group_day", "tenant_id", "group_id", "day"),
        Index("ix_lessons_day", "tenant_id", "day"),
        Index("ix_lessons_teachers", "teacher_ids", postgresql_using="gin"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _id()
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subgroup_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # The template entry it came from (null: an extra lesson). Not a foreign key: the
    # lesson outlives a template saved again.
    entry_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    period_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    day: Mapped[date] = mapped_column(Date)
    # The day the week put it on (a lesson moved to another day is still that lesson of
    # the week: generating again does not bring it back); null for an extra lesson.
    planned_day: Mapped[date | None] = mapped_column(Date)
    lesson_number: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    teacher_ids: Mapped[list[uuid.UUID]] = mapped_column(UUIDS)
    room_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    status: Mapped[str] = mapped_column(String(10), server_default="scheduled")
    extra: Mapped[bool] = mapped_column(Boolean, server_default="false")
    changed: Mapped[bool] = mapped_column(Boolean, server_default="false")
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class LessonChange(Base):
    __tablename__ = "lesson_changes"
    __table_args__ = (
        _fk("lesson_id", "lessons"),
        Index("ix_lesson_changes_day", "tenant_id", "day"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _id()
    lesson_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    # The lesson's date (the changes of a day are listed by it).
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500))
    before: Mapped[dict[str, Any]] = mapped_column(JSONB)
    after: Mapped[dict[str, Any]] = mapped_column(JSONB)
    notified: Mapped[list[uuid.UUID]] = mapped_column(UUIDS)
    changed_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ExamSession(Base):
    __tablename__ = "exam_sessions"
    __table_args__ = (_fk("academic_year_id", "academic_years"), _fk("group_id", "groups"))

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _id()
    academic_year_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


class ExamEvent(Base):
    """A consultation or an exam of a session."""

    __tablename__ = "exam_events"
    __table_args__ = (
        _fk("session_id", "exam_sessions"),
        _fk("subject_id", "subjects"),
        _fk("room_id", "rooms"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _id()
    session_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    room_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    examiner_ids: Mapped[list[uuid.UUID]] = mapped_column(UUIDS)


class Publication(Base):
    """When the timetable or the holidays of a year were published (for the deadlines:
    the timetable by 15 September, holidays two weeks ahead — 001 7.3)."""

    __tablename__ = "publications"
    __table_args__ = (_fk("academic_year_id", "academic_years"),)

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _id()
    academic_year_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    what: Mapped[str] = mapped_column(String(20))
    published_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    published_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))


class CalendarFeed(Base):
    """A per-user secret link to an iCalendar feed (only its hash is kept); revocable."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (UniqueConstraint("tenant_id", "secret_hash"),)

    tenant_id: Mapped[uuid.UUID] = _tenant()
    id: Mapped[uuid.UUID] = _id()
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    # A group's timetable (a curator, a teacher following a class); null: the user's own.
    group_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Settings(Base):
    """An organisation's timetable settings."""

    __tablename__ = "settings"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    # "error": a soft clash refuses the save; "warning": the editor may accept it.
    soft_clashes: Mapped[str] = mapped_column(String(10), server_default="error")
    # Academic hours one timetable lesson counts for (2: a college's "пара").
    hours_per_lesson: Mapped[int] = mapped_column(Integer, server_default="1")


class CalendarDay(Base):
    """The region's corrections to the production calendar (not an organisation's: one
    region, one calendar). Edited by the regional administrator only."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, server_default="")
    changed_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
