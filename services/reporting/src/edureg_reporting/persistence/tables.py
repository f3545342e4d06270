"""Reporting's read models: each kept from other services' events, idempotently, and
rebuilt from the streams by replaying them into an empty database (docs/reports.md).

Rows that several event types (or redeliveries out of order) may touch keep `as_of`, the
time of the event that last set them: an older event never overwrites a newer one.
Children are known by id and by the display name contingent publishes for reports;
nothing else of their personal files reaches reporting."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from edureg_shared.db import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# What people typed in, which no event rebuilds: a replay of the streams keeps these
# (`edureg-migrate replay reporting`).
ENTERED = (
    "region_rules",
    "organisation_rules",
    "report_jobs",
    "report_schedules",
    "report_definitions",
)


class GroupOccupancy(Base):
    """How many students each group has now, and has had in and out; its curator."""

    __tablename__ = "group_occupancy"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(50))
    grade: Mapped[int | None] = mapped_column(Integer)
    academic_year: Mapped[str | None] = mapped_column(String(9))
    active_students: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    enrolled_total: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    expelled_total: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    curator_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    curator_as_of: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Whether schedule gave the group a curriculum (data completeness), as of when.
    has_curriculum: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    curriculum_as_of: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MovementEntry(Base):
    """A row of the movement report: who (by id) moved where, by which order."""

    __tablename__ = "movement_log"
    __table_args__ = (Index(None, "tenant_id", "effective_date"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    order_number: Mapped[str] = mapped_column(String(30))
    order_date: Mapped[date] = mapped_column(Date)
    effective_date: Mapped[date] = mapped_column(Date)
    # When the order was signed (its event): the "order entered" deadline.
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Student(Base):
    """The name a report shows for a student (surname and name, as contingent gives it)."""

    __tablename__ = "students"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # How many required parts of the personal file are missing (0: complete; None: not
    # announced), as of when (data completeness).
    file_missing: Mapped[int | None] = mapped_column(Integer)
    file_as_of: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the file was first complete (the "personal file within N days" deadline).
    file_complete_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Membership(Base):
    """A student on a group's roster from `valid_from` until `valid_to` (exclusive), as
    journal announces it."""

    __tablename__ = "memberships"
    __table_args__ = (Index(None, "tenant_id", "group_id", "valid_from"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date, primary_key=True)
    valid_to: Mapped[date | None] = mapped_column(Date)


class Subject(Base):
    __tablename__ = "subjects"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Period(Base):
    """A study period (a quarter, a half, a semester …) of an academic year."""

    __tablename__ = "periods"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    period_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    academic_year_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(SmallInteger)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(60))


class Lesson(Base):
    """A dated lesson as schedule last announced it (`version` grows with each change)."""

    __tablename__ = "lessons"
    __table_args__ = (Index(None, "tenant_id", "group_id", "day"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    lesson_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subgroup_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    teacher_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)))
    day: Mapped[date] = mapped_column(Date)
    lesson_number: Mapped[int] = mapped_column(SmallInteger)
    period_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    status: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    # Academic hours the lesson counts for (a college's pair: 2).
    hours: Mapped[int] = mapped_column(Integer, server_default="1")


class LessonEntry(Base):
    """When a lesson's topic was entered in the journal (it took place)."""

    __tablename__ = "lesson_entries"
    __table_args__ = (Index(None, "tenant_id", "group_id", "day"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    lesson_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    day: Mapped[date] = mapped_column(Date)
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TeachingLoad(Base):
    """A teacher's load of a subject in a group (`active` false once it was removed)."""

    __tablename__ = "teaching_load"
    __table_args__ = (Index(None, "tenant_id", "teacher_user_id"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    load_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    teacher_user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    period_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    hours: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Mark(Base):
    """A student's mark of one kind of work in one lesson (`value` null: deleted)."""

    __tablename__ = "marks"
    __table_args__ = (Index(None, "tenant_id", "group_id", "day"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    lesson_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    work_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    day: Mapped[date] = mapped_column(Date)
    value: Mapped[str | None] = mapped_column(String(4))
    weight: Mapped[int] = mapped_column(SmallInteger)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Attendance(Base):
    """A student's attendance of a lesson (`code` null: the entry was removed)."""

    __tablename__ = "attendance"
    __table_args__ = (Index(None, "tenant_id", "group_id", "day"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    lesson_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    day: Mapped[date] = mapped_column(Date)
    code: Mapped[str | None] = mapped_column(String(10))
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PeriodMark(Base):
    """A student's period (year, exam, final …) mark in a subject."""

    __tablename__ = "period_marks"
    __table_args__ = (Index(None, "tenant_id", "group_id", "period_id"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    period_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    value: Mapped[str | None] = mapped_column(String(4))
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # When it was first set (a later correction does not move it): the deadlines.
    first_set_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# -- the region and the deadlines ----------------------------------------------------------


class Organisation(Base):
    """The region's registry of organisations, as identity announces it: names and
    municipality for the regional views (public facts, no people). Region-wide: no
    tenant of its own, no row-level security."""

    __tablename__ = "organisations"

    organisation_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str] = mapped_column(String(200))
    municipality: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), server_default=text("'active'"))
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CalendarDay(Base):
    """The region's corrections of the production calendar (schedule announces them)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    # Null: the correction was removed (kept, so that an older event does not revive it).
    working: Mapped[bool | None] = mapped_column(Boolean)
    as_of: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RegionRule(Base):
    """The regional profile: a deadline the region set for every organisation."""

    __tablename__ = "region_rules"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    updated_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OrganisationRule(Base):
    """An organisation's own deadline, where its regulation differs from the region's."""

    __tablename__ = "organisation_rules"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    reason: Mapped[str] = mapped_column(String(300))
    updated_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AcademicYear(Base):
    __tablename__ = "academic_years"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    academic_year_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    title: Mapped[str] = mapped_column(String(40))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


class Publication(Base):
    """When an organisation first published its timetable (or holidays) for a year."""

    __tablename__ = "publications"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    academic_year_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    what: Mapped[str] = mapped_column(String(20), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProfileSave(Base):
    """A save of the organisation's profile: when, and whether it was complete then."""

    __tablename__ = "profile_saves"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    complete: Mapped[bool] = mapped_column(Boolean)
    missing: Mapped[int] = mapped_column(SmallInteger)


class SignInDay(Base):
    """Sign-ins per organisation, day and kind of account (the activity figures)."""

    __tablename__ = "sign_in_days"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    sign_ins: Mapped[int] = mapped_column(Integer)


class LastSignIn(Base):
    """Each account's last sign-in (how many were active in the last two weeks)."""

    __tablename__ = "last_sign_ins"
    __table_args__ = (Index(None, "tenant_id", "last_at"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReportJob(Base):
    """A large report built in the background: queued → running → done | failed |
    cancelled. A running job's worker beats its heart after every step; a job whose
    heart stopped (its worker died) is taken again, or failed after its last attempt."""

    __tablename__ = "report_jobs"
    __table_args__ = (
        Index(None, "tenant_id", "requested_by", "created_at"),
        Index("ix_report_jobs_waiting", "status", "heartbeat_at"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    format: Mapped[str] = mapped_column(String(10))
    params: Mapped[dict[str, str]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(20), server_default=text("'queued'"))
    done_steps: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    total_steps: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    error: Mapped[str | None] = mapped_column(String(500))
    requested_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    filename: Mapped[str | None] = mapped_column(String(200))
    file: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class AbsenceDocument(Base):
    """An absence whose reason the class teacher corrected on a document: the day the
    document was brought and when the correction was made (the first, for that day's
    document) — the "reasons within 2 working days" deadline (001 8.3)."""

    __tablename__ = "absence_documents"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    lesson_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    document_on: Mapped[date] = mapped_column(Date)
    corrected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlanSave(Base):
    """When a group's subject first had a thematic plan with topics (journal's
    `plan.saved`): the "plans by September" deadline."""

    __tablename__ = "plan_saves"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    first_saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AccountLink(Base):
    """Whose account is which student's: the student's own, or a guardian's (from
    identity's provisioning): who may open a student's reports by relationship."""

    __tablename__ = "account_links"
    __table_args__ = (Index(None, "tenant_id", "student_id"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # When identity first announced it (the "accounts created" deadline).
    provisioned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReportSchedule(Base):
    """A report ordered on days of every month (002 5.1: the activity report on the 15th
    and the 30th): on each such day a job is queued for its author, covering the last
    `period_days` days."""

    __tablename__ = "report_schedules"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    format: Mapped[str] = mapped_column(String(10))
    days: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    period_days: Mapped[int] = mapped_column(SmallInteger)
    created_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_run_on: Mapped[date | None] = mapped_column(Date)


class ReportDefinition(Base):
    """A report built in the constructor and saved: its dataset, fields, filters,
    grouping and totals (domain/constructor.py checks it before every run)."""

    __tablename__ = "report_definitions"

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
