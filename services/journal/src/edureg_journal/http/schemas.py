from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict

from edureg_shared.paging import Page


class MembershipRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    student_id: uuid.UUID
    display_name: str
    group_id: uuid.UUID
    valid_from: date
    valid_to: date | None


class RosterRead(Page[MembershipRead]):
    """A page of a group's roster on a date (or its whole history)."""

    group_id: uuid.UUID
    on: date | None


class GridStudent(BaseModel):
    student_id: uuid.UUID
    display_name: str


class GridMark(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    student_id: uuid.UUID
    work_type: str
    value: str
    weight: int


class GridAttendance(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    student_id: uuid.UUID
    code: str
    reason: str | None


class HomeworkFileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    lesson_id: uuid.UUID
    name: str
    media_type: str
    size: int
    uploaded_at: datetime


class GridRead(BaseModel):
    lesson_id: uuid.UUID
    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    subject: str
    day: date
    lesson_number: int
    # Academic hours the lesson counts for (a college's pair: 2).
    hours: int = 1
    status: str
    flagged: bool
    topic: str | None
    homework: str | None
    delivery: str | None = None
    platform: str | None = None
    online_starts_at: time | None = None
    version: int
    students: list[GridStudent]
    marks: list[GridMark]
    attendance: list[GridAttendance]
    work_types: dict[str, str]
    # The lesson's study period is closed: the grid is read-only for everyone.
    locked: bool = False
    # The topic the teacher's thematic plan gives this lesson (offered while none is typed).
    planned_topic: str | None = None
    # Files attached to the homework (attached and removed one by one, not by the save).
    homework_files: list[HomeworkFileRead] = []


class JournalChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    student_id: uuid.UUID
    what: str
    work_type: str | None
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    changed_by: uuid.UUID
    changed_at: datetime
