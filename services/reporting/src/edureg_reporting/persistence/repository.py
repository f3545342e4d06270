from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from edureg_reporting.persistence.tables import GroupOccupancy as G
from edureg_reporting.persistence.tables import Membership, Subject
from edureg_reporting.persistence.tables import MovementEntry as M
from edureg_shared.paging import PageRequest, paginate

# Rows per INSERT: well under the 32,767 bind parameters of one statement.
CHUNK = 1000


async def upsert_newest(
    session: AsyncSession,
    table: type[DeclarativeBase],
    rows: Sequence[dict[str, Any]],
    *,
    key: Sequence[str],
    newer: str = "as_of",
) -> None:
    """Insert or update rows by `key`, a row changing only for a larger `newer` (the
    event's time, or the lesson's version): events applied out of order, or twice, leave
    the newest state. Several rows of one key in a batch: the newest is taken."""
    latest: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        if k not in latest or row[newer] > latest[k][newer]:
            latest[k] = row
    values = list(latest.values())
    t: Any = table
    for i in range(0, len(values), CHUNK):
        stmt = insert(t).values(values[i : i + CHUNK])
        stmt = stmt.on_conflict_do_update(
            index_elements=list(key),
            set_={c: stmt.excluded[c] for c in values[0] if c not in key},
            where=getattr(t, newer) < stmt.excluded[newer],
        )
        await session.execute(stmt)


async def name_subjects(
    session: AsyncSession, tenant_id: uuid.UUID, names: dict[uuid.UUID, str]
) -> None:
    if not names:
        return
    stmt = insert(Subject).values(
        [{"tenant_id": tenant_id, "subject_id": k, "name": v} for k, v in sorted(names.items())]
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "subject_id"], set_={"name": stmt.excluded.name}
        )
    )


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


async def set_curator(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    curator: uuid.UUID | None,
    as_of: Any,
) -> None:
    stmt = insert(G).values(
        tenant_id=tenant_id, group_id=group_id, curator_user_id=curator, curator_as_of=as_of
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "group_id"],
            set_={"curator_user_id": curator, "curator_as_of": as_of},
            where=(G.curator_as_of.is_(None)) | (G.curator_as_of < as_of),
        )
    )


async def open_membership(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    student_id: uuid.UUID,
    day: date,
) -> None:
    await session.execute(
        insert(Membership)
        .values(tenant_id=tenant_id, group_id=group_id, student_id=student_id, valid_from=day)
        .on_conflict_do_nothing()
    )


async def close_membership(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    student_id: uuid.UUID,
    day: date,
) -> bool:
    """End the student's open membership of the group on `day`; False if none was open
    and none has ever begun (its beginning is still to come)."""
    where = (
        Membership.tenant_id == tenant_id,
        Membership.group_id == group_id,
        Membership.student_id == student_id,
    )
    ended = await session.execute(
        update(Membership)
        .where(*where, Membership.valid_to.is_(None), Membership.valid_from <= day)
        .values(valid_to=day)
        .returning(Membership.valid_from)
    )
    if ended.first() is not None:
        return True
    known = await session.execute(select(Membership.valid_from).where(*where).limit(1))
    return known.first() is not None


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
