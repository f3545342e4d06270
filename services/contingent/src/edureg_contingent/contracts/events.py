"""The events contingent publishes: versioned payloads (the `data` of the envelope).

Each consumer gets only what it needs (152-FZ, least privilege):
- `student.enrolled` / `student.expelled` go to every service: ids, group, dates and the
  student's display name for screens; no birth dates, documents or free-text reasons;
- `accounts.requested` carries the full names of a student and their guardians and is
  readable by identity alone (the broker's permissions enforce that): it is what
  identity needs to create the named accounts.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel

from edureg_shared.events.contract import EventContract


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


class AccountsRequestedV1(BaseModel):
    """Accounts are needed for an enrolled student and their guardians (for identity
    only: it carries full names). Published with the enrolment, in the same transaction."""

    order_id: uuid.UUID
    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_from: date
    student: PersonName
    guardians: list[AccountHolder]


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


STUDENT_ENROLLED = EventContract("contingent.student.enrolled", 2, StudentEnrolledV2)
ACCOUNTS_REQUESTED = EventContract("contingent.accounts.requested", 1, AccountsRequestedV1)
STUDENT_EXPELLED = EventContract("contingent.student.expelled", 2, StudentExpelledV2)
GROUP_CREATED = EventContract("contingent.group.created", 1, GroupCreatedV1)
GROUP_CURATOR_CHANGED = EventContract("contingent.group.curator_changed", 1, GroupCuratorChangedV1)

PUBLISHES = (
    STUDENT_ENROLLED,
    ACCOUNTS_REQUESTED,
    STUDENT_EXPELLED,
    GROUP_CREATED,
    GROUP_CURATOR_CHANGED,
)
