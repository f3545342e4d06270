"""Tolerant views of the events reporting consumes (it publishes none): only what the
reports count. Children come by id and the display name reports show; no other
personal data."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from edureg_shared.events.contract import Consumes


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")


# -- contingent ----------------------------------------------------------------------------


class GroupCreated(_Tolerant):
    group_id: uuid.UUID
    name: str
    grade: int
    academic_year: str
    curator_user_id: uuid.UUID | None = None


class CuratorChanged(_Tolerant):
    group_id: uuid.UUID
    curator_user_id: uuid.UUID | None = None


class StudentEnrolled(_Tolerant):
    student_id: uuid.UUID
    group_id: uuid.UUID
    order_number: str
    order_date: date
    valid_from: date
    display_name: str
    file_missing: int | None = None


class FileCompleteness(_Tolerant):
    student_id: uuid.UUID
    missing: int


class StudentExpelled(_Tolerant):
    student_id: uuid.UUID
    group_id: uuid.UUID
    order_number: str
    order_date: date
    valid_to: date


class StudentNamed(_Tolerant):
    """`renamed`, and the moves that carry the name the student has now."""

    student_id: uuid.UUID
    display_name: str


class ProfileChanged(_Tolerant):
    complete: bool
    missing_fields: list[str] = []


# -- identity ------------------------------------------------------------------------------


class OrganisationRegistered(_Tolerant):
    organisation_id: uuid.UUID
    code: str
    kind: str
    name: str
    short_name: str
    municipality: str


class OrganisationStatus(_Tolerant):
    organisation_id: uuid.UUID
    status: str


class ProvisionedAccount(_Tolerant):
    user_id: uuid.UUID
    kind: str


class AccountsProvisioned(_Tolerant):
    student_id: uuid.UUID
    accounts: list[ProvisionedAccount] = []


class SignedIn(_Tolerant):
    user_id: uuid.UUID
    kind: str


# -- schedule ------------------------------------------------------------------------------


class PeriodView(_Tolerant):
    period_id: uuid.UUID | None = None
    kind: str
    number: int
    starts_on: date
    ends_on: date
    scope: str = "all"


class AcademicYearOpened(_Tolerant):
    academic_year_id: uuid.UUID
    title: str
    starts_on: date
    ends_on: date
    periods: list[PeriodView] = []


class Published(_Tolerant):
    academic_year_id: uuid.UUID
    what: str
    published_at: datetime


class CalendarChanged(_Tolerant):
    day: date
    working: bool | None = None


class PeriodDefined(_Tolerant):
    academic_year_id: uuid.UUID
    period: PeriodView


class Load(_Tolerant):
    load_id: uuid.UUID
    teacher_user_id: uuid.UUID
    subject_id: uuid.UUID
    group_id: uuid.UUID
    period_id: uuid.UUID
    hours: int


class LessonView(_Tolerant):
    lesson_id: uuid.UUID
    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None = None
    subject_id: uuid.UUID
    subject: str
    teacher_ids: list[uuid.UUID] = []
    day: date
    lesson_number: int
    period_id: uuid.UUID | None = None
    status: str = "scheduled"
    version: int = 1
    # Academic hours the lesson counts for (a college's pair: 2).
    hours: int = 1


class LessonsScheduled(_Tolerant):
    lessons: list[LessonView]


class LessonChanged(_Tolerant):
    lesson: LessonView


# -- journal -------------------------------------------------------------------------------


class RosterChanged(_Tolerant):
    group_id: uuid.UUID
    student_id: uuid.UUID
    change: str
    date: date


class MarkEvent(_Tolerant):
    lesson_id: uuid.UUID
    group_id: uuid.UUID
    subject_id: uuid.UUID
    day: date
    student_id: uuid.UUID
    work_type: str
    weight: int = 1
    value: str | None = None


class AttendanceEvent(_Tolerant):
    lesson_id: uuid.UUID
    group_id: uuid.UUID
    subject_id: uuid.UUID
    day: date
    student_id: uuid.UUID
    code: str | None = None


class LessonConducted(_Tolerant):
    lesson_id: uuid.UUID
    group_id: uuid.UUID
    subject_id: uuid.UUID
    day: date
    entered_at: datetime


class PeriodMarkSet(_Tolerant):
    group_id: uuid.UUID
    subject_id: uuid.UUID
    period_id: uuid.UUID
    kind: str
    student_id: uuid.UUID
    value: str | None = None


GROUP_CREATED = Consumes("contingent.group.created", 1, GroupCreated)
CURATOR_CHANGED = Consumes("contingent.group.curator_changed", 1, CuratorChanged)
STUDENT_ENROLLED = Consumes("contingent.student.enrolled", 2, StudentEnrolled)
STUDENT_EXPELLED = Consumes("contingent.student.expelled", 2, StudentExpelled)
STUDENT_RENAMED = Consumes("contingent.student.renamed", 1, StudentNamed)
STUDENT_TRANSFERRED = Consumes("contingent.student.transferred", 1, StudentNamed)
STUDENT_PROMOTED = Consumes("contingent.student.promoted", 1, StudentNamed)
STUDENT_RETAINED = Consumes("contingent.student.retained", 1, StudentNamed)
STUDENT_REINSTATED = Consumes("contingent.student.reinstated", 1, StudentNamed)
LEAVE_ENDED = Consumes("contingent.student.academic_leave_ended", 1, StudentNamed)

PROFILE_CHANGED = Consumes("contingent.organisation.profile_changed", 1, ProfileChanged)

ORGANISATION_REGISTERED = Consumes("identity.organisation.registered", 1, OrganisationRegistered)
ORGANISATION_STATUS = Consumes("identity.organisation.status_changed", 1, OrganisationStatus)
ACCOUNTS_PROVISIONED = Consumes("identity.accounts.provisioned", 1, AccountsProvisioned)
SIGNED_IN = Consumes("identity.user.signed_in", 1, SignedIn)

YEAR_OPENED = Consumes("schedule.academic_year.opened", 1, AcademicYearOpened)
PERIOD_DEFINED = Consumes("schedule.period.defined", 1, PeriodDefined)
TIMETABLE_PUBLISHED = Consumes("schedule.timetable.published", 1, Published)
CALENDAR_CHANGED = Consumes("schedule.working_calendar.changed", 1, CalendarChanged)
LOAD_ASSIGNED = Consumes("schedule.load.assigned", 1, Load)
LOAD_REMOVED = Consumes("schedule.load.removed", 1, Load)
LESSONS_SCHEDULED = Consumes("schedule.lesson.scheduled", 1, LessonsScheduled)
LESSON_CHANGED = Consumes("schedule.lesson.changed", 1, LessonChanged)
LESSON_CANCELLED = Consumes("schedule.lesson.cancelled", 1, LessonChanged)

ROSTER_CHANGED = Consumes("journal.roster.changed", 1, RosterChanged)
MARK_RECORDED = Consumes("journal.mark.recorded", 1, MarkEvent)
MARK_CHANGED = Consumes("journal.mark.changed", 1, MarkEvent)
MARK_DELETED = Consumes("journal.mark.deleted", 1, MarkEvent)
ATTENDANCE_RECORDED = Consumes("journal.attendance.recorded", 1, AttendanceEvent)
LESSON_CONDUCTED = Consumes("journal.lesson.conducted", 1, LessonConducted)
PERIOD_MARK_SET = Consumes("journal.period_mark.set", 1, PeriodMarkSet)


class GroupPlanSet(_Tolerant):
    group_id: uuid.UUID
    curriculum_id: uuid.UUID | None = None


GROUP_PLAN_SET = Consumes("schedule.group.plan_set", 1, GroupPlanSet)
FILE_COMPLETENESS = Consumes("contingent.student.file_completeness", 1, FileCompleteness)


class PlanSaved(_Tolerant):
    group_id: uuid.UUID
    subject_id: uuid.UUID
    topics: int


PLAN_SAVED = Consumes("journal.plan.saved", 1, PlanSaved)


class AbsenceDocumented(_Tolerant):
    lesson_id: uuid.UUID
    group_id: uuid.UUID
    student_id: uuid.UUID
    document_on: date
    corrected_at: datetime


ABSENCE_DOCUMENTED = Consumes("journal.absence.documented", 1, AbsenceDocumented)
