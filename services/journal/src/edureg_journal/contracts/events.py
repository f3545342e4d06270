from __future__ import annotations

import uuid
from datetime import date
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


ROSTER_CHANGED = EventContract("journal.roster.changed", 1, RosterChangedV1)
PUBLISHES = (ROSTER_CHANGED,)

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
