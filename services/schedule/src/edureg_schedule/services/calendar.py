from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_schedule.contracts.events import ACADEMIC_YEAR_CREATED, AcademicYearCreatedV1, PeriodV1
from edureg_schedule.domain.calendar import Period, check_year
from edureg_schedule.persistence import repository as repo
from edureg_schedule.persistence.tables import AcademicYear, StudyPeriod
from edureg_shared import audit
from edureg_shared.errors import Conflict, NotFound
from edureg_shared.events.envelope import Actor
from edureg_shared.events.outbox import add_event
from edureg_shared.paging import PageRequest


class PeriodIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["quarter", "half", "semester", "trimester"]
    number: Annotated[int, Field(ge=1, le=4)]
    starts_on: date
    ends_on: date


class CreateAcademicYear(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(pattern=r"^\d{4}/\d{4}$", examples=["2026/2027"])]
    starts_on: date
    ends_on: date
    periods: Annotated[list[PeriodIn], Field(max_length=4)] = []


@dataclass
class YearView:
    year: AcademicYear
    periods: list[StudyPeriod]


async def create_year(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    cmd: CreateAcademicYear,
) -> YearView:
    check_year(
        cmd.title,
        cmd.starts_on,
        cmd.ends_on,
        [Period(p.kind, p.number, p.starts_on, p.ends_on) for p in cmd.periods],
    )
    if await repo.find_year(session, tenant_id, cmd.title):
        raise Conflict(f"Учебный год {cmd.title} уже создан")
    year = AcademicYear(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        title=cmd.title,
        starts_on=cmd.starts_on,
        ends_on=cmd.ends_on,
    )
    periods = [
        StudyPeriod(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            academic_year_id=year.id,
            kind=p.kind,
            number=p.number,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
        )
        for p in cmd.periods
    ]
    session.add(year)
    await session.flush()
    session.add_all(periods)
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="create",
        entity="academic_year",
        entity_id=year.id,
    )
    data = AcademicYearCreatedV1(
        academic_year_id=year.id,
        title=year.title,
        starts_on=year.starts_on,
        ends_on=year.ends_on,
        periods=[
            PeriodV1(kind=p.kind, number=p.number, starts_on=p.starts_on, ends_on=p.ends_on)
            for p in periods
        ],
    )
    await add_event(
        session,
        ACADEMIC_YEAR_CREATED.envelope(
            tenant_id=tenant_id, actor=actor, subject_id=year.id, data=data
        ),
    )
    return YearView(year=year, periods=periods)


async def list_years(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[YearView], int]:
    years, total = await repo.list_years(session, tenant_id, page)
    periods = await repo.periods_of(session, tenant_id, [y.id for y in years])
    return [YearView(year=y, periods=periods.get(y.id, [])) for y in years], total


async def get_year(*, session: AsyncSession, tenant_id: uuid.UUID, year_id: uuid.UUID) -> YearView:
    year = await repo.get_year(session, tenant_id, year_id)
    if year is None:
        raise NotFound("Учебный год не найден")
    periods = await repo.periods_of(session, tenant_id, [year.id])
    return YearView(year=year, periods=periods.get(year.id, []))
