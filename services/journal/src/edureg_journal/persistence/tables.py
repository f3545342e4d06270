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
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Time,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from edureg_shared.db import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RosterMembership(Base):
    """A student's membership of a group over [valid_from, valid_to). Never deleted:
    past lessons and marks refer to it."""

    __tablename__ = "roster_memberships"
    __table_args__ = (
        Index(None, "tenant_id", "group_id"),
        Index(None, "tenant_id", "student_id"),
        Index(None, "tenant_id", "opened_by_order_id"),
        Index(None, "tenant_id", "ended_by_order_id"),
        Index(
            "uq_roster_memberships_open",
            "tenant_id",
            "group_id",
            "student_id",
            unique=True,
            postgresql_where=text("valid_to IS NULL"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    # As rosters show it (surname and name), from the enrolment event.
    display_name: Mapped[str] = mapped_column(String(210), server_default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    source_event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    ended_by_event_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # The orders of the movement book that opened and ended it: a cancelling order undoes
    # what they did (a membership it opened becomes empty, one it ended reopens).
    opened_by_order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    ended_by_order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


UUIDS = ARRAY(UUID(as_uuid=True))


class Lesson(Base):
    """A dated lesson as schedule announced it (never deleted: a cancelled one with marks
    is flagged), with what the teacher enters: topic, homework, distance details; and when
    the topic, marks and attendance were first entered (reporting's deadlines)."""

    __tablename__ = "lessons"
    __table_args__ = (
        Index("ix_lessons_group_day", "tenant_id", "group_id", "day"),
        Index("ix_lessons_teachers", "teacher_ids", postgresql_using="gin"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subgroup_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subject: Mapped[str] = mapped_column(String(200))
    teacher_ids: Mapped[list[uuid.UUID]] = mapped_column(UUIDS)
    day: Mapped[date] = mapped_column(Date)
    lesson_number: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    room: Mapped[str | None] = mapped_column(String(130))
    period_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    status: Mapped[str] = mapped_column(String(10))
    # Academic hours the lesson counts for (a college's pair: 2).
    hours: Mapped[int] = mapped_column(Integer, server_default="1")
    # Schedule's version of the lesson: an older event arriving late changes nothing.
    source_version: Mapped[int] = mapped_column(Integer, server_default="0")
    # Cancelled in schedule while holding marks or attendance: kept, shown flagged.
    flagged: Mapped[bool] = mapped_column(Boolean, server_default="false")
    topic: Mapped[str | None] = mapped_column(String(500))
    homework: Mapped[str | None] = mapped_column(String(2000))
    # Distance learning (003 3.3.5): held online, where, from what time.
    delivery: Mapped[str | None] = mapped_column(String(10))
    platform: Mapped[str | None] = mapped_column(String(300))
    online_starts_at: Mapped[time | None] = mapped_column(Time)
    # The grid's version: two teachers saving one lesson's grid — the second is told.
    version: Mapped[int] = mapped_column(Integer, server_default="0")
    topic_entered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    marks_entered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attendance_entered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Teaching(Base):
    """Who teaches what where (schedule's load): who may keep which journal."""

    __tablename__ = "teaching"
    __table_args__ = (Index("ix_teaching_teacher", "tenant_id", "teacher_user_id"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    load_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    teacher_user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subgroup_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    period_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    # Removed load is kept as a tombstone, so that its assignment arriving late (a retry)
    # cannot give the journal back; `as_of`: the newest event applied.
    removed: Mapped[bool] = mapped_column(Boolean, server_default="false")
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("'epoch'"))


class SubgroupMember(Base):
    """A student in a subgroup from `since` (date.min: from the subgroup's start) until
    the day before `until` (None: still): a student who moved to the other half stays in
    the first half's lessons of the days they were there."""

    __tablename__ = "subgroup_members"
    __table_args__ = (Index("ix_subgroup_members_student", "tenant_id", "student_id"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    subgroup_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    since: Mapped[date] = mapped_column(Date, primary_key=True)
    until: Mapped[date | None] = mapped_column(Date)


class SubgroupVersion(Base):
    """When schedule last defined a subgroup: an older definition arriving late changes
    nothing."""

    __tablename__ = "subgroup_versions"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    subgroup_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Mark(Base):
    """One mark of a student for one kind of work in one lesson."""

    __tablename__ = "marks"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "lesson_id"], ["lessons.tenant_id", "lessons.id"]),
        Index("ix_marks_student", "tenant_id", "student_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    lesson_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    work_type: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[str] = mapped_column(String(4))
    weight: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "lesson_id"], ["lessons.tenant_id", "lessons.id"]),
        Index("ix_attendance_student", "tenant_id", "student_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    lesson_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    code: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(300))
    updated_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class JournalChange(Base):
    """Every change of a mark or an attendance entry: old, new, who, when (152-FZ)."""

    __tablename__ = "journal_changes"
    __table_args__ = (
        Index("ix_journal_changes_lesson", "tenant_id", "lesson_id"),
        Index("ix_journal_changes_student", "tenant_id", "student_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    lesson_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    what: Mapped[str] = mapped_column(String(10))  # "mark" or "attendance"
    work_type: Mapped[str | None] = mapped_column(String(30))
    old: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    changed_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LearnerLink(Base):
    """Which account is a student's own, or a guardian's of that student (from identity's
    `accounts.provisioned`): the diary by relationship, never by a permission."""

    __tablename__ = "learner_links"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))


class GroupCurator(Base):
    """A group's curator (from contingent's events): reads the group's journal."""

    __tablename__ = "group_curators"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    curator_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # The newest event applied: an older one arriving late changes nothing.
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("'epoch'"))


class PeriodMark(Base):
    """A student's mark for a period (or the year, an exam, the final, coursework, a
    qualification exam) in a subject; once set, that period's marks are the teacher's no
    more (002 4.6, 004 4.10)."""

    __tablename__ = "period_marks"
    __table_args__ = (Index("ix_period_marks_student", "tenant_id", "student_id"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    period_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    value: Mapped[str] = mapped_column(String(4))
    set_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AcademicYear(Base):
    """An academic year as schedule announced it: its year, exam and final marks are
    keyed by its id."""

    __tablename__ = "academic_years"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    academic_year_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # The newest event applied: an older one arriving late changes nothing.
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("'epoch'"))


class StudyPeriod(Base):
    """A study period of a year (from schedule's events): the year mark is suggested
    from the marks of the year's periods."""

    __tablename__ = "study_periods"
    __table_args__ = (Index("ix_study_periods_year", "tenant_id", "academic_year_id"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    period_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    academic_year_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(60))
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("'epoch'"))


class WorkType(Base):
    """A kind of work an organisation marks, with its weight in the average. Until the
    organisation sets its own, the defaults apply; one no longer used is kept inactive
    (the marks given for it keep their title and weight)."""

    __tablename__ = "work_types"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    weight: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    position: Mapped[int] = mapped_column(Integer, server_default="0")


class JournalSettings(Base):
    """An organisation's journal rules where the regulations differ: the thresholds of
    the suggested period mark, whether the management may correct any journal, whether
    a class teacher sets the period marks of every subject of their class (001 8.5)."""

    __tablename__ = "journal_settings"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    threshold_five: Mapped[float] = mapped_column(Numeric(3, 2, asdecimal=False))
    threshold_four: Mapped[float] = mapped_column(Numeric(3, 2, asdecimal=False))
    threshold_three: Mapped[float] = mapped_column(Numeric(3, 2, asdecimal=False))
    management_edits: Mapped[bool] = mapped_column(Boolean, server_default="false")
    curator_sets_period_marks: Mapped[bool] = mapped_column(Boolean, server_default="false")
    updated_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, server_default="0")


class PeriodLock(Base):
    """A study period whose last day has passed (schedule's `period.ended`): its journal
    is read-only for everyone (004 4.2) unless an administrator reopened it."""

    __tablename__ = "period_locks"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    period_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    locked: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PeriodLockChange(Base):
    """Every closing and reopening of a period: who, when, why (insert-only)."""

    __tablename__ = "period_lock_changes"
    __table_args__ = (Index("ix_period_lock_changes_period", "tenant_id", "period_id"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    period_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    action: Mapped[str] = mapped_column(String(10))  # "locked" or "reopened"
    reason: Mapped[str | None] = mapped_column(String(500))
    # None: closed by the calendar (the period's last day passed).
    changed_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class HomeworkFile(Base):
    """A file a teacher attached to a lesson's homework (a worksheet, a scan), kept with
    its checksum; read by whoever may read the lesson and by its students and their
    guardians. Its type was told by its first bytes (domain.files), never by the browser."""

    __tablename__ = "homework_files"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "lesson_id"], ["lessons.tenant_id", "lessons.id"]),
        Index("ix_homework_files_lesson", "tenant_id", "lesson_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    lesson_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    name: Mapped[str] = mapped_column(String(160))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class DiaryVisit(Base):
    """When a user last opened a student's diary: what changed since is shown as new."""

    __tablename__ = "diary_visits"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ThematicPlan(Base):
    """A teacher's thematic plan (КТП) of a subject in a group: ordered topics with hours,
    given to the group's lessons of the subject in their order."""

    __tablename__ = "thematic_plans"
    __table_args__ = (
        Index(
            "uq_thematic_plans_owner",
            "tenant_id",
            "group_id",
            "subject_id",
            "teacher_user_id",
            unique=True,
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    teacher_user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    title: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, server_default="0")
    updated_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PlanTopic(Base):
    __tablename__ = "plan_topics"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "plan_id"], ["thematic_plans.tenant_id", "thematic_plans.id"]
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    hours: Mapped[int] = mapped_column(Integer)
