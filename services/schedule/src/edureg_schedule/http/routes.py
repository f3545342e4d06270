from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict

from edureg_schedule.services import calendar
from edureg_schedule.services.calendar import CreateAcademicYear
from edureg_shared.http import Context, unit_of_work
from edureg_shared.paging import Page, PageDep

router = APIRouter(prefix="/api/v1", tags=["academic years"])
Read = Annotated[Context, unit_of_work("schedule.read")]
Write = Annotated[Context, unit_of_work("schedule.write")]


class PeriodRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    number: int
    starts_on: date
    ends_on: date


class AcademicYearRead(BaseModel):
    id: uuid.UUID
    title: str
    starts_on: date
    ends_on: date
    periods: list[PeriodRead]


def _read(view: calendar.YearView) -> AcademicYearRead:
    y = view.year
    return AcademicYearRead(
        id=y.id,
        title=y.title,
        starts_on=y.starts_on,
        ends_on=y.ends_on,
        periods=[PeriodRead.model_validate(p) for p in view.periods],
    )


@router.post(
    "/academic-years",
    status_code=status.HTTP_201_CREATED,
    response_model=AcademicYearRead,
    summary="Создать учебный год с периодами",
)
async def create_year(cmd: CreateAcademicYear, ctx: Write) -> AcademicYearRead:
    return _read(
        await calendar.create_year(
            session=ctx.session,
            tenant_id=ctx.tenant_id,
            actor=ctx.actor,
            cmd=cmd,
        )
    )


@router.get("/academic-years", response_model=Page[AcademicYearRead], summary="Учебные годы")
async def list_years(ctx: Read, page: PageDep) -> Page[AcademicYearRead]:
    views, total = await calendar.list_years(
        session=ctx.session, tenant_id=ctx.tenant_id, page=page
    )
    return Page.of([_read(v) for v in views], total, page)


@router.get("/academic-years/{year_id}", response_model=AcademicYearRead, summary="Учебный год")
async def get_year(year_id: uuid.UUID, ctx: Read) -> AcademicYearRead:
    return _read(
        await calendar.get_year(session=ctx.session, tenant_id=ctx.tenant_id, year_id=year_id)
    )
