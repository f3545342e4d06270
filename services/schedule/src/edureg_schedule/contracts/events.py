"""The events schedule publishes, and the tolerant models of those it consumes.

Journal keeps its lessons, locks and who-may-keep-which-journal from these; reporting its
deadlines. No personal data: ids, dates, times, the subject's and room's names for
screens; a change's free-text reason stays in schedule (the portal shows it)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict

from edureg_shared.events.contract import Consumes, EventContract


class PeriodV1(BaseModel):
    period_id: uuid.UUID | None = None
    kind: str
    number: int
    starts_on: date
    ends_on: date
    # "all", "grade:<n>" or "group:<id>": whom the period is for.
    scope: str = "all"


class AcademicYearOpenedV1(BaseModel):
    """An organisation's academic year was opened with its default study periods
    (`copied_from`: the year whose settings it took)."""

    academic_year_id: uuid.UUID
    title: str
    starts_on: date
    ends_on: date
    periods: list[PeriodV1]
    copied_from: uuid.UUID | None = None


class PeriodDefinedV1(BaseModel):
    """A study period was defined for a year (the default scheme, a parallel or a group)."""

    academic_year_id: uuid.UUID
    period: PeriodV1


class PeriodEndedV1(BaseModel):
    """A study period's last day has passed: journal locks it by its rules. Announced
    once, the day after `ends_on`."""

    academic_year_id: uuid.UUID
    period: PeriodV1


class LoadV1(BaseModel):
    load_id: uuid.UUID
    teacher_user_id: uuid.UUID
    subject_id: uuid.UUID
    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    period_id: uuid.UUID
    hours: int


class LoadAssignedV1(LoadV1):
    """A teacher was given (or given other hours of) a subject in a group or subgroup for
    a period: journal lets that teacher keep that journal."""


class LoadRemovedV1(LoadV1):
    """A teacher's load of a subject in a group was taken away."""


class SubgroupDefinedV1(BaseModel):
    """A group's subgroup (a language split, a practical's half) with its members, as
    they are now (sent again whole on every change)."""

    subgroup_id: uuid.UUID
    group_id: uuid.UUID
    name: str
    student_ids: list[uuid.UUID]
    # The day this composition applies from (a student moved to the other half from a
    # Monday); None: from the day of the change. A subgroup's first composition applies
    # from its start.
    since: date | None = None


class LessonV1(BaseModel):
    lesson_id: uuid.UUID
    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    subject_id: uuid.UUID
    subject: str
    teacher_ids: list[uuid.UUID]
    day: date
    lesson_number: int
    starts_at: time
    ends_at: time
    room: str | None
    period_id: uuid.UUID | None
    status: Literal["scheduled", "cancelled"] = "scheduled"
    # Grows with every change of the lesson: a consumer applies a lesson's events in
    # this order whatever order they arrive in.
    version: int = 1
    # Academic hours the lesson counts for (a college's pair: 2; the organisation's
    # setting): the hours given against the load.
    hours: int = 1


class LessonsScheduledV1(BaseModel):
    """Dated lessons were generated from a group's week (or an extra lesson added): up to
    500 lessons of one group per event."""

    group_id: uuid.UUID
    lessons: list[LessonV1]


class LessonChangedV1(BaseModel):
    """A one-off change of a dated lesson (a substitution, a room change, another time).
    `notify_user_ids`: the group's curator and the teachers concerned, before and after —
    whom the portal tells."""

    lesson: LessonV1
    change: Literal["substitution", "room_change", "moved", "extra", "restored"]
    notify_user_ids: list[uuid.UUID]


class LessonCancelledV1(BaseModel):
    """A dated lesson was cancelled (its marks, if any, stay in journal and are flagged)."""

    lesson: LessonV1
    notify_user_ids: list[uuid.UUID]


class PublishedV1(BaseModel):
    """The organisation published its timetable or its holidays for a year (reporting
    checks the deadlines: timetable by 15 September, holidays two weeks ahead)."""

    academic_year_id: uuid.UUID
    what: Literal["timetable", "holidays"]
    published_at: datetime


class WorkingCalendarChangedV1(BaseModel):
    """The region corrected its production calendar: `day` is now a working day or not
    (`working` null: the correction was removed, the decree or the Labour Code applies)."""

    day: date
    working: bool | None


class GroupPlanSetV1(BaseModel):
    """A group was given its curriculum (or had it taken away: null) and its shift: what
    the region's monitoring counts as "curricula filled"."""

    group_id: uuid.UUID
    curriculum_id: uuid.UUID | None
    shift: int


ACADEMIC_YEAR_OPENED = EventContract("schedule.academic_year.opened", 1, AcademicYearOpenedV1)
GROUP_PLAN_SET = EventContract("schedule.group.plan_set", 1, GroupPlanSetV1)
PERIOD_DEFINED = EventContract("schedule.period.defined", 1, PeriodDefinedV1)
PERIOD_ENDED = EventContract("schedule.period.ended", 1, PeriodEndedV1)
LOAD_ASSIGNED = EventContract("schedule.load.assigned", 1, LoadAssignedV1)
LOAD_REMOVED = EventContract("schedule.load.removed", 1, LoadRemovedV1)
SUBGROUP_DEFINED = EventContract("schedule.subgroup.defined", 1, SubgroupDefinedV1)
LESSONS_SCHEDULED = EventContract("schedule.lesson.scheduled", 1, LessonsScheduledV1)
LESSON_CHANGED = EventContract("schedule.lesson.changed", 1, LessonChangedV1)
LESSON_CANCELLED = EventContract("schedule.lesson.cancelled", 1, LessonCancelledV1)
PUBLISHED = EventContract("schedule.timetable.published", 1, PublishedV1)
CALENDAR_CHANGED = EventContract("schedule.working_calendar.changed", 1, WorkingCalendarChangedV1)
PUBLISHES = (
    ACADEMIC_YEAR_OPENED,
    PERIOD_DEFINED,
    PERIOD_ENDED,
    LOAD_ASSIGNED,
    LOAD_REMOVED,
    SUBGROUP_DEFINED,
    LESSONS_SCHEDULED,
    LESSON_CHANGED,
    LESSON_CANCELLED,
    PUBLISHED,
    CALENDAR_CHANGED,
    GROUP_PLAN_SET,
)


# -- consumed ------------------------------------------------------------------------------


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GroupCreated(_Tolerant):
    group_id: uuid.UUID
    name: str
    grade: int
    academic_year: str
    curator_user_id: uuid.UUID | None = None


class CuratorChanged(_Tolerant):
    group_id: uuid.UUID
    curator_user_id: uuid.UUID | None


class GroupClosed(_Tolerant):
    group_id: uuid.UUID
    closed_on: date


class Joined(_Tolerant):
    """Enrolled, back from leave, reinstated: the student is in `group_id` from
    `valid_from`."""

    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_from: date
    display_name: str


class Moved(_Tolerant):
    student_id: uuid.UUID
    from_group_id: uuid.UUID
    to_group_id: uuid.UUID
    valid_from: date
    display_name: str


class Left(_Tolerant):
    """Expelled, graduated or gone on leave: out of `group_id` (schedule keeps where each
    student is now, not since when they left)."""

    student_id: uuid.UUID
    group_id: uuid.UUID


class Restored(_Tolerant):
    student_id: uuid.UUID
    status: str
    group_id: uuid.UUID


class OrderCancelled(_Tolerant):
    students: list[Restored]


class Renamed(_Tolerant):
    student_id: uuid.UUID
    display_name: str


class Account(_Tolerant):
    user_id: uuid.UUID
    person_id: uuid.UUID | None
    kind: str


class AccountsProvisioned(_Tolerant):
    student_id: uuid.UUID
    accounts: list[Account]


GROUP_CREATED = Consumes("contingent.group.created", 1, GroupCreated)
CURATOR_CHANGED = Consumes("contingent.group.curator_changed", 1, CuratorChanged)
GROUP_CLOSED = Consumes("contingent.group.closed", 1, GroupClosed)
STUDENT_ENROLLED = Consumes("contingent.student.enrolled", 2, Joined)
LEAVE_ENDED = Consumes("contingent.student.academic_leave_ended", 1, Joined)
STUDENT_REINSTATED = Consumes("contingent.student.reinstated", 1, Joined)
STUDENT_TRANSFERRED = Consumes("contingent.student.transferred", 1, Moved)
STUDENT_PROMOTED = Consumes("contingent.student.promoted", 1, Moved)
STUDENT_RETAINED = Consumes("contingent.student.retained", 1, Moved)
STUDENT_EXPELLED = Consumes("contingent.student.expelled", 2, Left)
STUDENT_GRADUATED = Consumes("contingent.student.graduated", 1, Left)
LEAVE_STARTED = Consumes("contingent.student.academic_leave_started", 1, Left)
ORDER_CANCELLED = Consumes("contingent.order.cancelled", 1, OrderCancelled)
STUDENT_RENAMED = Consumes("contingent.student.renamed", 1, Renamed)
ACCOUNTS_PROVISIONED = Consumes("identity.accounts.provisioned", 1, AccountsProvisioned)


class AccountDisabled(_Tolerant):
    user_id: uuid.UUID


ACCOUNT_DISABLED = Consumes("identity.account.disabled", 1, AccountDisabled)
