from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from edureg_reporting.services import projections
from edureg_shared.http import Context, unit_of_work

router = APIRouter(prefix="/api/v1", tags=["reports"])
ReportsRead = Annotated[Context, unit_of_work("reporting.read")]


class OccupancyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    group_id: uuid.UUID
    name: str | None
    grade: int | None
    academic_year: str | None
    active_students: int
    enrolled_total: int
    expelled_total: int


class MovementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    group_id: uuid.UUID
    student_id: uuid.UUID
    order_number: str
    order_date: date
    effective_date: date


class OccupancyPage(BaseModel):
    items: list[OccupancyRead]


class MovementPage(BaseModel):
    items: list[MovementRead]


@router.get("/occupancy", response_model=OccupancyPage, summary="Наполняемость групп")
async def occupancy(ctx: ReportsRead) -> OccupancyPage:
    rows = await projections.occupancy(session=ctx.session, tenant_id=ctx.tenant_id)
    return OccupancyPage(items=[OccupancyRead.model_validate(r) for r in rows])


@router.get("/movement", response_model=MovementPage, summary="Движение обучающихся за период")
async def movement(
    ctx: ReportsRead,
    start: Annotated[date, Query(alias="from", description="Начало периода")],
    end: Annotated[date, Query(alias="to", description="Конец периода (включительно)")],
) -> MovementPage:
    rows = await projections.movement(
        session=ctx.session, tenant_id=ctx.tenant_id, start=start, end=end
    )
    return MovementPage(items=[MovementRead.model_validate(r) for r in rows])
