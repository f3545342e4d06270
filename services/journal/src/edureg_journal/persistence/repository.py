from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.persistence.tables import RosterMembership as M


async def open_memberships(session: AsyncSession, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert open memberships; those already open are skipped (one statement, no race).
    Returns (student_id, group_id, valid_from) of the rows inserted now."""
    result = await session.execute(
        insert(M)
        .values([{**r, "id": uuid.uuid4()} for r in rows])
        .on_conflict_do_nothing(
            index_elements=["tenant_id", "group_id", "student_id"],
            index_where=M.valid_to.is_(None),
        )
        .returning(M.student_id, M.group_id, M.valid_from)
    )
    return list(result.all())


async def close_membership(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    student_id: uuid.UUID,
    valid_to: date,
    event_id: uuid.UUID,
) -> bool:
    result = await session.execute(
        update(M)
        .where(
            M.tenant_id == tenant_id,
            M.group_id == group_id,
            M.student_id == student_id,
            M.valid_to.is_(None),
        )
        .values(valid_to=valid_to, ended_by_event_id=event_id)
        .returning(M.id)
    )
    return result.first() is not None


async def members_on(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, on: date
) -> Sequence[M]:
    result = await session.scalars(
        select(M)
        .where(
            M.tenant_id == tenant_id,
            M.group_id == group_id,
            M.valid_from <= on,
            or_(M.valid_to.is_(None), M.valid_to > on),
        )
        .order_by(M.valid_from, M.student_id)
    )
    return result.all()


async def group_history(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID
) -> Sequence[M]:
    result = await session.scalars(
        select(M)
        .where(M.tenant_id == tenant_id, M.group_id == group_id)
        .order_by(M.valid_from, M.student_id)
    )
    return result.all()


async def student_memberships(
    session: AsyncSession, tenant_id: uuid.UUID, student_id: uuid.UUID
) -> Sequence[M]:
    result = await session.scalars(
        select(M).where(M.tenant_id == tenant_id, M.student_id == student_id).order_by(M.valid_from)
    )
    return result.all()
