"""Occupancy and movement, projected from contingent's events."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_reporting.contracts.events import GROUP_CREATED, STUDENT_ENROLLED, STUDENT_EXPELLED
from edureg_reporting.persistence import repository as repo
from edureg_reporting.persistence.tables import GroupOccupancy, MovementEntry
from edureg_shared.events.envelope import Envelope
from edureg_shared.paging import PageRequest, check_range


async def on_groups_created(*, session: AsyncSession, events: list[Envelope]) -> None:
    for event in events:
        data = GROUP_CREATED.parse(event.data)
        await repo.upsert_group(
            session, event.tenant_id, data.group_id, data.name, data.grade, data.academic_year
        )


async def on_students_enrolled(*, session: AsyncSession, events: list[Envelope]) -> None:
    parsed = [(e, STUDENT_ENROLLED.parse(e.data)) for e in events]
    await _count(
        session, events[0].tenant_id, Counter(d.group_id for _, d in parsed), enrolled=True
    )
    await repo.add_movements(
        session,
        [
            {
                "tenant_id": e.tenant_id,
                "event_id": e.id,
                "kind": "enrolled",
                "group_id": d.group_id,
                "student_id": d.student_id,
                "order_number": d.order_number,
                "order_date": d.order_date,
                "effective_date": d.valid_from,
            }
            for e, d in parsed
        ],
    )


async def on_students_expelled(*, session: AsyncSession, events: list[Envelope]) -> None:
    parsed = [(e, STUDENT_EXPELLED.parse(e.data)) for e in events]
    await _count(
        session, events[0].tenant_id, Counter(d.group_id for _, d in parsed), enrolled=False
    )
    await repo.add_movements(
        session,
        [
            {
                "tenant_id": e.tenant_id,
                "event_id": e.id,
                "kind": "expelled",
                "group_id": d.group_id,
                "student_id": d.student_id,
                "order_number": d.order_number,
                "order_date": d.order_date,
                "effective_date": d.valid_to,
            }
            for e, d in parsed
        ],
    )


async def _count(
    session: AsyncSession, tenant_id: uuid.UUID, per_group: Counter[uuid.UUID], *, enrolled: bool
) -> None:
    for group_id, n in sorted(per_group.items()):  # a fixed order: no deadlocks between replicas
        await repo.count_movement(
            session,
            tenant_id,
            group_id,
            enrolled=n if enrolled else 0,
            expelled=0 if enrolled else n,
        )


# A school year and a bit: the longest period a movement report covers at once.
MAX_MOVEMENT_DAYS = 400


async def occupancy(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[GroupOccupancy], int]:
    return await repo.occupancy(session, tenant_id, page)


async def movement(
    *, session: AsyncSession, tenant_id: uuid.UUID, start: date, end: date, page: PageRequest
) -> tuple[list[MovementEntry], int]:
    check_range(start, end, max_days=MAX_MOVEMENT_DAYS, start_field="from", end_field="to")
    return await repo.movement(session, tenant_id, start, end, page)
