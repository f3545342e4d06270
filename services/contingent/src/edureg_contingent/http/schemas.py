"""Response schemas (requests are the commands in services/commands.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class GroupRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    grade: int
    academic_year: str
    curator_user_id: uuid.UUID | None


class OrderItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    student_id: uuid.UUID
    group_id: uuid.UUID


class OrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    number: str
    order_date: date
    effective_date: date
    status: str
    reason_code: str | None
    reason_comment: str | None
    signed_at: datetime | None
    items: list[OrderItemRead]


class GuardianRead(BaseModel):
    id: uuid.UUID
    surname: str
    name: str
    patronymic: str | None
    relation: str


class StudentRead(BaseModel):
    id: uuid.UUID
    surname: str
    name: str
    patronymic: str | None
    birth_date: date
    sex: str
    status: str
    group_id: uuid.UUID
    guardians: list[GuardianRead]


class ReasonRead(BaseModel):
    code: str
    title: str
