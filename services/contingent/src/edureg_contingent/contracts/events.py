"""Versioned event payloads (the `data` of the envelope) published by contingent."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel

STUDENT_ENROLLED = "contingent.student.enrolled"
STUDENT_EXPELLED = "contingent.student.expelled"
GROUP_CREATED = "contingent.group.created"


class PersonName(BaseModel):
    surname: str
    name: str
    patronymic: str | None = None


class EnrolledGuardian(PersonName):
    guardian_id: uuid.UUID
    relation: str


class EnrolledStudent(PersonName):
    birth_date: date


class StudentEnrolledV1(BaseModel):
    """A student was enrolled into a group by a signed order (subject id: the student).

    Carries the names identity needs to create the student's and guardians' accounts;
    no documents, addresses or other personal-file fields.
    """

    order_id: uuid.UUID
    order_number: str
    order_date: date
    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_from: date
    student: EnrolledStudent
    guardians: list[EnrolledGuardian]


class StudentExpelledV1(BaseModel):
    """A student was expelled by a signed order; membership ends on `valid_to` (exclusive)."""

    order_id: uuid.UUID
    order_number: str
    order_date: date
    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_to: date
    reason: str


class GroupCreatedV1(BaseModel):
    """A study group or class was created."""

    group_id: uuid.UUID
    name: str
    grade: int
    academic_year: str
