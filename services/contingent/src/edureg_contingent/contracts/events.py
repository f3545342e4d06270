"""The events contingent publishes: versioned payloads (the `data` of the envelope).

Each consumer gets only what it needs (152-FZ, least privilege):
- `student.enrolled` / `student.expelled` and every other movement of the book
  (`transferred`, `promoted`, `retained`, `graduated`, `academic_leave_started/ended`,
  `reinstated`, `order.cancelled`) go to every service: ids, groups, dates and the
  student's display name for screens; no birth dates, documents or free-text reasons;
- `accounts.requested` carries the full names of a student and their guardians and is
  readable by identity alone (the broker's permissions enforce that): it is what
  identity needs to create the named accounts.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict

from edureg_shared.events.contract import Consumes, EventContract


class PersonName(BaseModel):
    surname: str
    name: str
    patronymic: str | None = None


class AccountHolder(PersonName):
    guardian_id: uuid.UUID
    relation: str
    # A keyed hash of the guardian's СНИЛС (never the number): the same person in
    # another organisation has the same key, and keeps one sign-in.
    match_key: str | None = None


class StudentEnrolledV2(BaseModel):
    """A student was enrolled into a group by a signed order (subject id: the student).
    `display_name` is what rosters and reports show (surname and name)."""

    order_id: uuid.UUID
    order_number: str
    order_date: date
    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_from: date
    display_name: str
    # How many of the personal file's required parts are still missing (0: complete).
    file_missing: int | None = None


class StudentFileCompletenessV1(BaseModel):
    """A personal file was saved: how many of its required parts are still missing (0:
    complete) — what the region's monitoring counts, with no field's content."""

    student_id: uuid.UUID
    missing: int


class TransferredFrom(BaseModel):
    """Where a student transferred from another organisation was before: identity gives
    the new account the sign-in of the one there (the same login)."""

    organisation_id: uuid.UUID
    student_id: uuid.UUID


class AccountsRequestedV1(BaseModel):
    """Accounts are needed for an enrolled student and their guardians (for identity
    only: it carries full names). Published with the enrolment, in the same transaction."""

    order_id: uuid.UUID
    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_from: date
    student: PersonName
    guardians: list[AccountHolder]
    transferred_from: TransferredFrom | None = None


class StudentExpelledV2(BaseModel):
    """A student was expelled by a signed order; membership ends on `valid_to`
    (exclusive). `reason_code` is from the catalogue of expulsion reasons."""

    order_id: uuid.UUID
    order_number: str
    order_date: date
    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_to: date
    reason_code: str


class GroupCreatedV1(BaseModel):
    """A study group or class was created (`curator_user_id`: the staff account of its
    curator, if one is appointed)."""

    group_id: uuid.UUID
    name: str
    grade: int
    academic_year: str
    curator_user_id: uuid.UUID | None = None


class GroupCuratorChangedV1(BaseModel):
    """A group's curator (class teacher) was appointed, replaced or removed (null)."""

    group_id: uuid.UUID
    curator_user_id: uuid.UUID | None


class StudentMovedV1(BaseModel):
    """A student moved from one group to another by a signed order (a transfer, a
    promotion to the next grade or course, or a retention for repeated study): their
    membership of `from_group_id` ends on `valid_from` (exclusive) and that of
    `to_group_id` begins on it."""

    order_id: uuid.UUID
    order_number: str
    order_date: date
    student_id: uuid.UUID
    from_group_id: uuid.UUID
    to_group_id: uuid.UUID
    valid_from: date
    display_name: str


class StudentGraduatedV1(BaseModel):
    """A student completed the programme (a graduation order for their group); their
    membership ends on `valid_to` (exclusive)."""

    order_id: uuid.UUID
    order_number: str
    order_date: date
    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_to: date


class AcademicLeaveStartedV1(BaseModel):
    """A student went on academic leave from `valid_from` until `valid_until` (planned;
    the return is its own order). Still a student: accounts stay, the journal leaves the
    student out from `valid_from`."""

    order_id: uuid.UUID
    order_number: str
    order_date: date
    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_from: date
    valid_until: date


class StudentReturnedV1(BaseModel):
    """A student came back into `group_id` from `valid_from`: from academic leave
    (`academic_leave_ended`) or after an expulsion (`reinstated`)."""

    order_id: uuid.UUID
    order_number: str
    order_date: date
    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_from: date
    display_name: str


class RestoredStudent(BaseModel):
    """Where a cancelled order leaves a student: their state and group before it
    (`annulled`: the cancelled order was their enrolment)."""

    student_id: uuid.UUID
    status: str
    group_id: uuid.UUID


class OrderCancelledV1(BaseModel):
    """A signed order was cancelled by another order (`order_id`): every effect of
    `cancelled_order_id` is undone (its memberships void, those it ended reopened, its
    students back where they were)."""

    order_id: uuid.UUID
    order_number: str
    order_date: date
    cancelled_order_id: uuid.UUID
    cancelled_kind: str
    students: list[RestoredStudent]


class GroupClosedV1(BaseModel):
    """A group closed on `closed_on` (its students graduated); it takes no one in."""

    group_id: uuid.UUID
    closed_on: date


class StudentRenamedV1(BaseModel):
    """A student's name was corrected in their personal file: screens show
    `display_name` from now on (and for the past: it is the same person)."""

    student_id: uuid.UUID
    display_name: str


class EmployeeHiredV1(BaseModel):
    """A staff member was taken on by a signed hiring order (for identity alone: it
    carries the full name the staff account needs). `position_code`: the position in the
    system the order gives (`teacher`, or `none`: the administrator assigns one)."""

    order_id: uuid.UUID
    order_number: str
    order_date: date
    employee_id: uuid.UUID
    valid_from: date
    surname: str
    name: str
    patronymic: str | None
    position_code: str


class EmployeeDismissedV1(BaseModel):
    """A staff member was let go by a signed dismissal order, from `valid_to`."""

    order_id: uuid.UUID
    order_number: str
    order_date: date
    employee_id: uuid.UUID
    valid_to: date


class ProfileChangedV1(BaseModel):
    """The organisation's profile was saved: what the region monitors of it — which of
    the card's fields are still empty, and the accreditation's term (no names, no
    people)."""

    organisation_id: uuid.UUID
    version: int
    complete: bool
    missing_fields: list[str]
    accredited: bool
    accreditation_valid_until: date | None
    licence_date: date | None


STUDENT_ENROLLED = EventContract("contingent.student.enrolled", 2, StudentEnrolledV2)
ACCOUNTS_REQUESTED = EventContract("contingent.accounts.requested", 1, AccountsRequestedV1)
STUDENT_EXPELLED = EventContract("contingent.student.expelled", 2, StudentExpelledV2)
GROUP_CREATED = EventContract("contingent.group.created", 1, GroupCreatedV1)
GROUP_CURATOR_CHANGED = EventContract("contingent.group.curator_changed", 1, GroupCuratorChangedV1)
STUDENT_TRANSFERRED = EventContract("contingent.student.transferred", 1, StudentMovedV1)
STUDENT_PROMOTED = EventContract("contingent.student.promoted", 1, StudentMovedV1)
STUDENT_RETAINED = EventContract("contingent.student.retained", 1, StudentMovedV1)
STUDENT_GRADUATED = EventContract("contingent.student.graduated", 1, StudentGraduatedV1)
ACADEMIC_LEAVE_STARTED = EventContract(
    "contingent.student.academic_leave_started", 1, AcademicLeaveStartedV1
)
ACADEMIC_LEAVE_ENDED = EventContract(
    "contingent.student.academic_leave_ended", 1, StudentReturnedV1
)
STUDENT_REINSTATED = EventContract("contingent.student.reinstated", 1, StudentReturnedV1)
ORDER_CANCELLED = EventContract("contingent.order.cancelled", 1, OrderCancelledV1)
GROUP_CLOSED = EventContract("contingent.group.closed", 1, GroupClosedV1)
EMPLOYEE_HIRED = EventContract("contingent.employee.hired", 1, EmployeeHiredV1)
EMPLOYEE_DISMISSED = EventContract("contingent.employee.dismissed", 1, EmployeeDismissedV1)
STUDENT_RENAMED = EventContract("contingent.student.renamed", 1, StudentRenamedV1)
PROFILE_CHANGED = EventContract("contingent.organisation.profile_changed", 1, ProfileChangedV1)
FILE_COMPLETENESS = EventContract(
    "contingent.student.file_completeness", 1, StudentFileCompletenessV1
)

PUBLISHES = (
    STUDENT_ENROLLED,
    ACCOUNTS_REQUESTED,
    STUDENT_EXPELLED,
    GROUP_CREATED,
    GROUP_CURATOR_CHANGED,
    STUDENT_TRANSFERRED,
    STUDENT_PROMOTED,
    STUDENT_RETAINED,
    STUDENT_GRADUATED,
    ACADEMIC_LEAVE_STARTED,
    ACADEMIC_LEAVE_ENDED,
    STUDENT_REINSTATED,
    ORDER_CANCELLED,
    GROUP_CLOSED,
    PROFILE_CHANGED,
    STUDENT_RENAMED,
    EMPLOYEE_HIRED,
    EMPLOYEE_DISMISSED,
    FILE_COMPLETENESS,
)


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")


class OrganisationRegistered(_Tolerant):
    """What contingent reads of `identity.organisation.registered` v1: the region's
    organisations a student may be transferred to."""

    organisation_id: uuid.UUID
    kind: str
    name: str
    short_name: str = ""
    municipality: str = ""


ORGANISATION_REGISTERED = Consumes("identity.organisation.registered", 1, OrganisationRegistered)
