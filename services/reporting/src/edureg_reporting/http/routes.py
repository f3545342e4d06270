from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from edureg_reporting.services import projections
from edureg_shared.http import Context, unit_of_work
from edureg_shared.paging import Page, PageDep

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


@router.get("/occupancy", response_model=Page[OccupancyRead], summary="Наполняемость групп")
async def occupancy(ctx: ReportsRead, page: PageDep) -> Page[OccupancyRead]:
    rows, total = await projections.occupancy(
        session=ctx.session, tenant_id=ctx.tenant_id, page=page
    )
    return Page.of([OccupancyRead.model_validate(r) for r in rows], total, page)


@router.get(
    "/movement",
    response_model=Page[MovementRead],
    summary="Движение обучающихся за период",
    description=f"Период не длиннее {projections.MAX_MOVEMENT_DAYS} дней.",
)
async def movement(
    ctx: ReportsRead,
    page: PageDep,
    start: Annotated[date, Query(alias="from", description="Начало периода")],
    end: Annotated[date, Query(alias="to", description="Конец периода (включительно)")],
) -> Page[MovementRead]:
    rows, total = await projections.movement(
        session=ctx.session, tenant_id=ctx.tenant_id, start=start, end=end, page=page
    )
    return Page.of([MovementRead.model_validate(r) for r in rows], total, page)
