from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict


class MembershipRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    student_id: uuid.UUID
    display_name: str
    group_id: uuid.UUID
    valid_from: date
    valid_to: date | None


class RosterRead(BaseModel):
    group_id: uuid.UUID
    on: date | None
    items: list[MembershipRead]


class MembershipsRead(BaseModel):
    items: list[MembershipRead]
