from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict

from edureg_shared.events.contract import Consumes, EventContract


class RosterChangedV1(BaseModel):
    """A student joined a group's roster, or their membership ended (no names)."""

    group_id: uuid.UUID
    student_id: uuid.UUID
    change: Literal["added", "ended"]
    date: date


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")


class StudentEnrolled(_Tolerant):
    """What journal reads of `contingent.student.enrolled` v2."""

    order_id: uuid.UUID | None = None
    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_from: date
    display_name: str


class StudentExpelled(_Tolerant):
    """What journal reads of `contingent.student.expelled` v2 (and `graduated` v1)."""

    order_id: uuid.UUID | None = None
    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_to: date


class StudentMoved(_Tolerant):
    """What journal reads of `contingent.student.transferred/promoted/retained` v1."""

    order_id: uuid.UUID
    student_id: uuid.UUID
    from_group_id: uuid.UUID
    to_group_id: uuid.UUID
    valid_from: date
    display_name: str


class LeaveStarted(_Tolerant):
    """What journal reads of `contingent.student.academic_leave_started` v1."""

    order_id: uuid.UUID
    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_from: date


class StudentReturned(_Tolerant):
    """What journal reads of `contingent.student.academic_leave_ended/reinstated` v1."""

    order_id: uuid.UUID
    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_from: date
    display_name: str


class StudentRenamed(_Tolerant):
    """What journal reads of `contingent.student.renamed` v1."""

    student_id: uuid.UUID
    display_name: str


class CancelledStudent(_Tolerant):
    student_id: uuid.UUID


class OrderCancelled(_Tolerant):
    """What journal reads of `contingent.order.cancelled` v1."""

    order_id: uuid.UUID
    cancelled_order_id: uuid.UUID
    students: list[CancelledStudent]


class MarkV1(BaseModel):
    """A mark of a student in a lesson was recorded, changed or deleted (no names):
    `value` is 5…1, `pass` or `fail`; null when deleted."""

    lesson_id: uuid.UUID
    group_id: uuid.UUID
    subject_id: uuid.UUID
    day: date
    student_id: uuid.UUID
    work_type: str
    weight: int
    value: str | None
    previous: str | None


class AttendanceV1(BaseModel):
    """A student's attendance of a lesson was recorded (`code` null: the mark removed)."""

    lesson_id: uuid.UUID
    group_id: uuid.UUID
    subject_id: uuid.UUID
    day: date
    student_id: uuid.UUID
    code: str | None


class LessonConductedV1(BaseModel):
    """A lesson's topic was entered: it took place (and when it was entered, for the
    "within one day of the lesson" rule)."""

    lesson_id: uuid.UUID
    group_id: uuid.UUID
    subject_id: uuid.UUID
    day: date
    entered_at: datetime


ROSTER_CHANGED = EventContract("journal.roster.changed", 1, RosterChangedV1)
MARK_RECORDED = EventContract("journal.mark.recorded", 1, MarkV1)
MARK_CHANGED = EventContract("journal.mark.changed", 1, MarkV1)
MARK_DELETED = EventContract("journal.mark.deleted", 1, MarkV1)
ATTENDANCE_RECORDED = EventContract("journal.attendance.recorded", 1, AttendanceV1)
LESSON_CONDUCTED = EventContract("journal.lesson.conducted", 1, LessonConductedV1)
_JOURNAL = (
    ROSTER_CHANGED,
    MARK_RECORDED,
    MARK_CHANGED,
    MARK_DELETED,
    ATTENDANCE_RECORDED,
    LESSON_CONDUCTED,
)

STUDENT_ENROLLED = Consumes("contingent.student.enrolled", 2, StudentEnrolled)
STUDENT_EXPELLED = Consumes("contingent.student.expelled", 2, StudentExpelled)
STUDENT_TRANSFERRED = Consumes("contingent.student.transferred", 1, StudentMoved)
STUDENT_PROMOTED = Consumes("contingent.student.promoted", 1, StudentMoved)
STUDENT_RETAINED = Consumes("contingent.student.retained", 1, StudentMoved)
STUDENT_GRADUATED = Consumes("contingent.student.graduated", 1, StudentExpelled)
LEAVE_STARTED = Consumes("contingent.student.academic_leave_started", 1, LeaveStarted)
LEAVE_ENDED = Consumes("contingent.student.academic_leave_ended", 1, StudentReturned)
STUDENT_REINSTATED = Consumes("contingent.student.reinstated", 1, StudentReturned)
ORDER_CANCELLED = Consumes("contingent.order.cancelled", 1, OrderCancelled)
STUDENT_RENAMED = Consumes("contingent.student.renamed", 1, StudentRenamed)


class ScheduledLesson(_Tolerant):
    """What journal reads of schedule's lessons."""

    lesson_id: uuid.UUID
    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None = None
    subject_id: uuid.UUID
    subject: str = ""
    teacher_ids: list[uuid.UUID]
    day: date
    lesson_number: int
    starts_at: time
    ends_at: time
    room: str | None = None
    period_id: uuid.UUID | None = None
    status: str = "scheduled"
    version: int = 1
    hours: int = 1


class LessonsScheduled(_Tolerant):
    lessons: list[ScheduledLesson]


class LessonChanged(_Tolerant):
    lesson: ScheduledLesson


class Load(_Tolerant):
    load_id: uuid.UUID
    teacher_user_id: uuid.UUID
    subject_id: uuid.UUID
    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None = None
    period_id: uuid.UUID


class SubgroupDefined(_Tolerant):
    subgroup_id: uuid.UUID
    student_ids: list[uuid.UUID]
    # From which day this composition applies (None: the day of the change).
    since: date | None = None


LESSONS_SCHEDULED = Consumes("schedule.lesson.scheduled", 1, LessonsScheduled)
LESSON_CHANGED = Consumes("schedule.lesson.changed", 1, LessonChanged)
LESSON_CANCELLED = Consumes("schedule.lesson.cancelled", 1, LessonChanged)
LOAD_ASSIGNED = Consumes("schedule.load.assigned", 1, Load)
LOAD_REMOVED = Consumes("schedule.load.removed", 1, Load)
SUBGROUP_DEFINED = Consumes("schedule.subgroup.defined", 1, SubgroupDefined)


class ProvisionedAccount(_Tolerant):
    user_id: uuid.UUID
    kind: str


class AccountsProvisioned(_Tolerant):
    """What journal reads of `identity.accounts.provisioned` v1."""

    student_id: uuid.UUID
    accounts: list[ProvisionedAccount]


ACCOUNTS_PROVISIONED = Consumes("identity.accounts.provisioned", 1, AccountsProvisioned)


class GroupCurator(_Tolerant):
    """What journal reads of `contingent.group.created` and `group.curator_changed`."""

    group_id: uuid.UUID
    curator_user_id: uuid.UUID | None = None


GROUP_CREATED = Consumes("contingent.group.created", 1, GroupCurator)
GROUP_CURATOR_CHANGED = Consumes("contingent.group.curator_changed", 1, GroupCurator)


class PeriodMarkV1(BaseModel):
    """A period (year, exam, final…) mark was set for a student in a subject (no names).
    `period_id`: the study period for `kind` "period"; the academic year for the year's
    kinds (year, exam, final, coursework, qualification)."""

    group_id: uuid.UUID
    subject_id: uuid.UUID
    period_id: uuid.UUID
    kind: str
    student_id: uuid.UUID
    value: str
    previous: str | None


PERIOD_MARK_SET = EventContract("journal.period_mark.set", 1, PeriodMarkV1)


class PeriodLockV1(BaseModel):
    """A study period's journal was closed (read-only for everyone) or reopened: `cause`
    is "ended" when its last day passed, "administrator" when one closed or reopened it
    (the reason stays in journal, it may name people)."""

    period_id: uuid.UUID
    ends_on: date
    at: datetime
    cause: Literal["ended", "administrator"]


PERIOD_LOCKED = EventContract("journal.period.locked", 1, PeriodLockV1)
PERIOD_REOPENED = EventContract("journal.period.reopened", 1, PeriodLockV1)


class PlanSavedV1(BaseModel):
    """A teacher saved their thematic plan (КТП) of a subject in a group: its size, no
    topics' text — what reporting judges the "plans by September" deadline by."""

    plan_id: uuid.UUID
    group_id: uuid.UUID
    subject_id: uuid.UUID
    teacher_user_id: uuid.UUID
    topics: int
    hours: int
    version: int


PLAN_SAVED = EventContract("journal.plan.saved", 1, PlanSavedV1)


class AbsenceDocumentedV1(BaseModel):
    """The class teacher corrected an absence's reason on a document the student brought
    (its day, not its content): reporting judges the "reasons within 2 working days" rule."""

    lesson_id: uuid.UUID
    group_id: uuid.UUID
    student_id: uuid.UUID
    day: date
    document_on: date
    corrected_at: datetime


ABSENCE_DOCUMENTED = EventContract("journal.absence.documented", 1, AbsenceDocumentedV1)
PUBLISHES = (
    *_JOURNAL,
    PERIOD_MARK_SET,
    PERIOD_LOCKED,
    PERIOD_REOPENED,
    PLAN_SAVED,
    ABSENCE_DOCUMENTED,
)


class EndedPeriod(_Tolerant):
    # Schedule's period model allows none (a period not yet saved); an ended one has it.
    period_id: uuid.UUID | None = None
    kind: str
    number: int
    starts_on: date
    ends_on: date
    scope: str = "all"


class PeriodEnded(_Tolerant):
    """What journal reads of `schedule.period.ended` v1."""

    period: EndedPeriod


PERIOD_ENDED = Consumes("schedule.period.ended", 1, PeriodEnded)


class YearOpened(_Tolerant):
    """What journal reads of `schedule.academic_year.opened` v1: the year's periods (its
    year, exam and final marks are the year's)."""

    academic_year_id: uuid.UUID
    title: str
    starts_on: date
    ends_on: date
    periods: list[EndedPeriod] = []


class PeriodDefined(_Tolerant):
    """What journal reads of `schedule.period.defined` v1."""

    academic_year_id: uuid.UUID
    period: EndedPeriod


ACADEMIC_YEAR_OPENED = Consumes("schedule.academic_year.opened", 1, YearOpened)
PERIOD_DEFINED = Consumes("schedule.period.defined", 1, PeriodDefined)
