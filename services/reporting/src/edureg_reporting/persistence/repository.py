from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_reporting.persistence.tables import GroupOccupancy as G
from edureg_reporting.persistence.tables import MovementEntry as M
from edureg_shared.paging import PageRequest, paginate


async def upsert_group(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    name: str,
    grade: int,
    academic_year: str,
) -> None:
    values = {"name": name, "grade": grade, "academic_year": academic_year}
    await session.execute(
        insert(G)
        .values(tenant_id=tenant_id, group_id=group_id, **values)
        .on_conflict_do_update(
            index_elements=["tenant_id", "group_id"], set_={**values, "updated_at": func.now()}
        )
    )


async def count_movement(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    *,
    enrolled: int,
    expelled: int,
) -> None:
    """One upsert: counters move together, whatever order the group and its students arrive in."""
    await session.execute(
        insert(G)
        .values(
            tenant_id=tenant_id,
            group_id=group_id,
            active_students=enrolled - expelled,
            enrolled_total=enrolled,
            expelled_total=expelled,
        )
        .on_conflict_do_update(
            index_elements=["tenant_id", "group_id"],
            set_={
                "active_students": G.active_students + enrolled - expelled,
                "enrolled_total": G.enrolled_total + enrolled,
                "expelled_total": G.expelled_total + expelled,
                "updated_at": func.now(),
            },
        )
    )


async def add_movements(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await session.execute(insert(M).values(rows).on_conflict_do_nothing())


async def occupancy(
    session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[G], int]:
    return await paginate(
        session,
        select(G).where(G.tenant_id == tenant_id).order_by(G.academic_year, G.name, G.group_id),
        page,
    )


async def movement(
    session: AsyncSession, tenant_id: uuid.UUID, start: date, end: date, page: PageRequest
) -> tuple[list[M], int]:
    return await paginate(
        session,
        select(M)
        .where(M.tenant_id == tenant_id, M.effective_date >= start, M.effective_date <= end)
        .order_by(M.effective_date, M.order_number, M.student_id),
        page,
    )
