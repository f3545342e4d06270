from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

ACCOUNT_PROVISIONED = "identity.account.provisioned"
ACCOUNT_DISABLED = "identity.account.disabled"

Kind = Literal["staff", "student", "guardian"]


class AccountProvisionedV1(BaseModel):
    """An account was created for a person (no names, no login)."""

    user_id: uuid.UUID
    person_id: uuid.UUID | None
    kind: Kind


class AccountDisabledV1(BaseModel):
    """An account was disabled (expulsion; a guardian left without active children)."""

    user_id: uuid.UUID
    person_id: uuid.UUID | None
    kind: Kind


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Name(_Tolerant):
    surname: str
    name: str
    patronymic: str | None = None


class Guardian(Name):
    guardian_id: uuid.UUID


class StudentEnrolled(_Tolerant):
    """What identity reads of `contingent.student.enrolled` v1."""

    student_id: uuid.UUID
    student: Name
    guardians: list[Guardian] = []


class StudentExpelled(_Tolerant):
    """What identity reads of `contingent.student.expelled` v1."""

    student_id: uuid.UUID
