from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.persistence.tables import RosterMembership as M


async def open_membership(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    student_id: uuid.UUID,
    valid_from: date,
    event_id: uuid.UUID,
) -> bool:
    """Insert an open membership; False if one is already open (one statement, no race)."""
    result = await session.execute(
        insert(M)
        .values(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            group_id=group_id,
            student_id=student_id,
            valid_from=valid_from,
            source_event_id=event_id,
        )
        .on_conflict_do_nothing(
            index_elements=["tenant_id", "group_id", "student_id"],
            index_where=M.valid_to.is_(None),
        )
        .returning(M.id)
    )
    return result.first() is not None


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
