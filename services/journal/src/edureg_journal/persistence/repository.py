from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.persistence.tables import RosterMembership as M
from edureg_shared.paging import PageRequest, paginate

_OPEN_MEMBERSHIPS = text("""
    INSERT INTO roster_memberships (tenant_id, id, group_id, student_id, display_name,
                                    valid_from, source_event_id, opened_by_order_id)
    SELECT :tenant_id, gen_random_uuid(), m.group_id, m.student_id, m.display_name,
           m.valid_from, m.event_id, m.order_id
    FROM unnest(CAST(:group_ids AS uuid[]), CAST(:student_ids AS uuid[]),
                CAST(:names AS text[]), CAST(:valid_froms AS date[]), CAST(:event_ids AS uuid[]),
                CAST(:order_ids AS uuid[]))
         AS m(group_id, student_id, display_name, valid_from, event_id, order_id)
    ON CONFLICT (tenant_id, group_id, student_id) WHERE valid_to IS NULL DO NOTHING
    RETURNING student_id, group_id, valid_from
""")


async def open_memberships(
    session: AsyncSession, tenant_id: uuid.UUID, rows: list[dict[str, Any]]
) -> list[Any]:
    """Insert open memberships; those already open are skipped. One statement whatever the
    number of rows. Returns (student_id, group_id, valid_from) of the rows inserted now."""
    result = await session.execute(
        _OPEN_MEMBERSHIPS,
        {
            "tenant_id": tenant_id,
            "group_ids": [r["group_id"] for r in rows],
            "student_ids": [r["student_id"] for r in rows],
            "names": [r["display_name"] for r in rows],
            "valid_froms": [r["valid_from"] for r in rows],
            "event_ids": [r["source_event_id"] for r in rows],
            "order_ids": [r.get("order_id") for r in rows],
        },
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
    order_id: uuid.UUID | None = None,
) -> bool:
    result = await session.execute(
        update(M)
        .where(
            M.tenant_id == tenant_id,
            M.group_id == group_id,
            M.student_id == student_id,
            M.valid_to.is_(None),
        )
        .values(valid_to=valid_to, ended_by_event_id=event_id, ended_by_order_id=order_id)
        .returning(M.id)
    )
    return result.first() is not None


async def undo_order(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    order_id: uuid.UUID,
    cancelling_order_id: uuid.UUID,
    event_id: uuid.UUID,
) -> tuple[list[Any], list[Any]]:
    """Undo what an order did to rosters: the memberships it opened become empty (they
    end where they began: never deleted, past marks may refer to them), those it ended
    are open again. Returns (voided, reopened) as (group_id, student_id, valid_from)."""
    voided = await session.execute(
        update(M)
        .where(M.tenant_id == tenant_id, M.opened_by_order_id == order_id)
        .values(
            valid_to=M.valid_from, ended_by_event_id=event_id, ended_by_order_id=cancelling_order_id
        )
        .returning(M.group_id, M.student_id, M.valid_from)
    )
    voided_rows = list(voided.all())
    reopened = await session.execute(
        update(M)
        .where(M.tenant_id == tenant_id, M.ended_by_order_id == order_id)
        .values(valid_to=None, ended_by_event_id=None, ended_by_order_id=None)
        .returning(M.group_id, M.student_id, M.valid_from)
    )
    return voided_rows, list(reopened.all())


async def members_on(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, on: date, page: PageRequest
) -> tuple[list[M], int]:
    return await paginate(
        session,
        select(M)
        .where(
            M.tenant_id == tenant_id,
            M.group_id == group_id,
            M.valid_from <= on,
            or_(M.valid_to.is_(None), M.valid_to > on),
        )
        .order_by(M.display_name, M.student_id),
        page,
    )


async def group_history(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, page: PageRequest
) -> tuple[list[M], int]:
    return await paginate(
        session,
        select(M)
        .where(M.tenant_id == tenant_id, M.group_id == group_id)
        .order_by(M.valid_from, M.student_id, M.id),
        page,
    )


async def student_memberships(
    session: AsyncSession, tenant_id: uuid.UUID, student_id: uuid.UUID, page: PageRequest
) -> tuple[list[M], int]:
    return await paginate(
        session,
        select(M)
        .where(M.tenant_id == tenant_id, M.student_id == student_id)
        .order_by(M.valid_from, M.id),
        page,
    )


async def rename(session: AsyncSession, tenant_id: uuid.UUID, names: dict[uuid.UUID, str]) -> None:
    """Each student's memberships, past ones too, under their corrected name."""
    for student_id, name in sorted(names.items()):
        await session.execute(
            update(M)
            .where(M.tenant_id == tenant_id, M.student_id == student_id)
            .values(display_name=name[:210])
        )
