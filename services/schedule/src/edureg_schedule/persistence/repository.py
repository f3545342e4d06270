from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_schedule.persistence.tables import AcademicYear, StudyPeriod
from edureg_shared.paging import PageRequest, paginate


async def find_year(session: AsyncSession, tenant_id: uuid.UUID, title: str) -> AcademicYear | None:
    return await session.scalar(
        select(AcademicYear).where(AcademicYear.tenant_id == tenant_id, AcademicYear.title == title)
    )


async def get_year(
    session: AsyncSession, tenant_id: uuid.UUID, year_id: uuid.UUID
) -> AcademicYear | None:
    return await session.get(AcademicYear, (tenant_id, year_id))


async def list_years(
    session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[AcademicYear], int]:
    return await paginate(
        session,
        select(AcademicYear)
        .where(AcademicYear.tenant_id == tenant_id)
        .order_by(AcademicYear.starts_on, AcademicYear.id),
        page,
    )


async def periods_of(
    session: AsyncSession, tenant_id: uuid.UUID, year_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[StudyPeriod]]:
    rows = await session.scalars(
        select(StudyPeriod)
        .where(StudyPeriod.tenant_id == tenant_id, StudyPeriod.academic_year_id.in_(year_ids))
        .order_by(StudyPeriod.starts_on)
    )
    out: dict[uuid.UUID, list[StudyPeriod]] = {}
    for p in rows.all():
        out.setdefault(p.academic_year_id, []).append(p)
    return out
