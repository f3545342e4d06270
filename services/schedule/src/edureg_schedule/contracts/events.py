from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel

from edureg_shared.events.contract import EventContract


class PeriodV1(BaseModel):
    kind: str
    number: int
    starts_on: date
    ends_on: date


class AcademicYearCreatedV1(BaseModel):
    """An organisation's academic year with its study periods was set up."""

    academic_year_id: uuid.UUID
    title: str
    starts_on: date
    ends_on: date
    periods: list[PeriodV1]


ACADEMIC_YEAR_CREATED = EventContract("schedule.academic_year.created", 1, AcademicYearCreatedV1)
PUBLISHES = (ACADEMIC_YEAR_CREATED,)
