from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

ROSTER_CHANGED = "journal.roster.changed"


class RosterChangedV1(BaseModel):
    """A student joined a group's roster, or their membership ended (no names)."""

    group_id: uuid.UUID
    student_id: uuid.UUID
    change: Literal["added", "ended"]
    date: date


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")


class StudentEnrolled(_Tolerant):
    """What journal reads of `contingent.student.enrolled` v1."""

    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_from: date


class StudentExpelled(_Tolerant):
    """What journal reads of `contingent.student.expelled` v1."""

    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_to: date
