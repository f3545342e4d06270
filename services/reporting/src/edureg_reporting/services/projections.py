"""Occupancy and movement, projected from contingent's events."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_reporting.contracts.events import GroupCreated, StudentEnrolled, StudentExpelled
from edureg_reporting.persistence import repository as repo
from edureg_reporting.persistence.tables import GroupOccupancy, MovementEntry
from edureg_shared.errors import InvalidState
from edureg_shared.events.envelope import Envelope


async def on_group_created(*, session: AsyncSession, event: Envelope) -> None:
    data = GroupCreated.model_validate(event.data)
    await repo.upsert_group(
        session, event.tenant_id, data.group_id, data.name, data.grade, data.academic_year
    )


async def on_student_enrolled(*, session: AsyncSession, event: Envelope) -> None:
    data = StudentEnrolled.model_validate(event.data)
    await repo.count_movement(session, event.tenant_id, data.group_id, enrolled=1, expelled=0)
    await repo.add_movement(
        session,
        {
            "tenant_id": event.tenant_id,
            "event_id": event.id,
            "kind": "enrolled",
            "group_id": data.group_id,
            "student_id": data.student_id,
            "order_number": data.order_number,
            "order_date": data.order_date,
            "effective_date": data.valid_from,
        },
    )


async def on_student_expelled(*, session: AsyncSession, event: Envelope) -> None:
    data = StudentExpelled.model_validate(event.data)
    await repo.count_movement(session, event.tenant_id, data.group_id, enrolled=0, expelled=1)
    await repo.add_movement(
        session,
        {
            "tenant_id": event.tenant_id,
            "event_id": event.id,
            "kind": "expelled",
            "group_id": data.group_id,
            "student_id": data.student_id,
            "order_number": data.order_number,
            "order_date": data.order_date,
            "effective_date": data.valid_to,
        },
    )


async def occupancy(*, session: AsyncSession, tenant_id: uuid.UUID) -> Sequence[GroupOccupancy]:
    return await repo.occupancy(session, tenant_id)


async def movement(
    *, session: AsyncSession, tenant_id: uuid.UUID, start: date, end: date
) -> Sequence[MovementEntry]:
    if end < start:
        raise InvalidState("Дата окончания периода раньше даты начала")
    return await repo.movement(session, tenant_id, start, end)
