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

    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_from: date
    display_name: str


class StudentExpelled(_Tolerant):
    """What journal reads of `contingent.student.expelled` v2."""

    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_to: date


ROSTER_CHANGED = EventContract("journal.roster.changed", 1, RosterChangedV1)
PUBLISHES = (ROSTER_CHANGED,)

STUDENT_ENROLLED = Consumes("contingent.student.enrolled", 2, StudentEnrolled)
STUDENT_EXPELLED = Consumes("contingent.student.expelled", 2, StudentExpelled)
