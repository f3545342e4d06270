"""Rosters as the journal sees them: fed by contingent's orders, read by teachers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.contracts.events import (
    ROSTER_CHANGED,
    RosterChangedV1,
    StudentEnrolled,
    StudentExpelled,
)
from edureg_journal.persistence import repository as repo
from edureg_journal.persistence.tables import RosterMembership
from edureg_shared import audit
from edureg_shared.events.envelope import Envelope
from edureg_shared.events.outbox import add_event


class MembershipNotYetKnown(Exception):
    """The expulsion came before its enrolment was applied: retry later."""


async def _announce(
    session: AsyncSession, event: Envelope, data: RosterChangedV1, prefix: str
) -> None:
    await add_event(
        session,
        Envelope(
            type=ROSTER_CHANGED,
            tenant_id=event.tenant_id,
            actor=event.actor,
            subject_id=data.student_id,
            data=data.model_dump(mode="json"),
        ),
        prefix=prefix,
    )


async def on_student_enrolled(*, session: AsyncSession, event: Envelope, prefix: str = "") -> None:
    data = StudentEnrolled.model_validate(event.data)
    added = await repo.open_membership(
        session,
        tenant_id=event.tenant_id,
        group_id=data.group_id,
        student_id=data.student_id,
        valid_from=data.valid_from,
        event_id=event.id,
    )
    if not added:
        return
    await audit.record(
        session,
        tenant_id=event.tenant_id,
        actor=event.actor,
        action="add",
        entity="roster_membership",
        entity_id=data.student_id,
        details={"group_id": str(data.group_id), "event_id": str(event.id)},
    )
    await _announce(
        session,
        event,
        RosterChangedV1(
            group_id=data.group_id, student_id=data.student_id, change="added", date=data.valid_from
        ),
        prefix,
    )


async def on_student_expelled(*, session: AsyncSession, event: Envelope, prefix: str = "") -> None:
    data = StudentExpelled.model_validate(event.data)
    ended = await repo.close_membership(
        session,
        tenant_id=event.tenant_id,
        group_id=data.group_id,
        student_id=data.student_id,
        valid_to=data.valid_to,
        event_id=event.id,
    )
    if not ended:
        raise MembershipNotYetKnown("no open membership for the expelled student yet")
    await audit.record(
        session,
        tenant_id=event.tenant_id,
        actor=event.actor,
        action="end",
        entity="roster_membership",
        entity_id=data.student_id,
        details={"group_id": str(data.group_id), "event_id": str(event.id)},
    )
    await _announce(
        session,
        event,
        RosterChangedV1(
            group_id=data.group_id, student_id=data.student_id, change="ended", date=data.valid_to
        ),
        prefix,
    )


async def roster_on(
    *, session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, on: date
) -> Sequence[RosterMembership]:
    return await repo.members_on(session, tenant_id, group_id, on)


async def roster_history(
    *, session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID
) -> Sequence[RosterMembership]:
    return await repo.group_history(session, tenant_id, group_id)


async def memberships_of(
    *, session: AsyncSession, tenant_id: uuid.UUID, student_id: uuid.UUID
) -> Sequence[RosterMembership]:
    return await repo.student_memberships(session, tenant_id, student_id)
