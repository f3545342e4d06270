from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict

from edureg_shared.events.contract import Consumes


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GroupCreated(_Tolerant):
    group_id: uuid.UUID
    name: str
    grade: int
    academic_year: str


class StudentEnrolled(_Tolerant):
    """Only ids, the order and dates: reporting holds no children's personal data."""

    student_id: uuid.UUID
    group_id: uuid.UUID
    order_number: str
    order_date: date
    valid_from: date


class StudentExpelled(_Tolerant):
    student_id: uuid.UUID
    group_id: uuid.UUID
    order_number: str
    order_date: date
    valid_to: date


GROUP_CREATED = Consumes("contingent.group.created", 1, GroupCreated)
STUDENT_ENROLLED = Consumes("contingent.student.enrolled", 2, StudentEnrolled)
STUDENT_EXPELLED = Consumes("contingent.student.expelled", 2, StudentExpelled)
