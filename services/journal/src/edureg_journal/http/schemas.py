from __future__ import annotations

import uuid
from datetime import date

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
