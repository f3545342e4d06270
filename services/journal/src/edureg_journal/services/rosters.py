"""Rosters as the journal sees them: fed by contingent's orders, read by teachers."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.contracts.events import (
    ROSTER_CHANGED,
    STUDENT_ENROLLED,
    STUDENT_EXPELLED,
    RosterChangedV1,
)
from edureg_journal.persistence import repository as repo
from edureg_journal.persistence.tables import RosterMembership
from edureg_shared import audit
from edureg_shared.events.consumer import NotYet
from edureg_shared.events.envelope import Envelope
from edureg_shared.events.outbox import add_events
from edureg_shared.paging import PageRequest


class MembershipNotYetKnown(NotYet):
    """The expulsion came before its enrolment was applied: retry later."""


def _announcement(event: Envelope, data: RosterChangedV1) -> Envelope:
    return ROSTER_CHANGED.envelope(
        tenant_id=event.tenant_id, actor=event.actor, subject_id=data.student_id, data=data
    )


async def on_students_enrolled(*, session: AsyncSession, events: list[Envelope]) -> None:
    """Open a membership per enrolled student, all in one statement."""
    tenant_id = events[0].tenant_id
    parsed = [(e, STUDENT_ENROLLED.parse(e.data)) for e in events]
    added = await repo.open_memberships(
        session,
        tenant_id,
        [
            {
                "group_id": d.group_id,
                "student_id": d.student_id,
                "display_name": d.display_name,
                "valid_from": d.valid_from,
                "source_event_id": e.id,
            }
            for e, d in parsed
        ],
    )
    new = {(row.student_id, row.group_id) for row in added}
    done = [(e, d) for e, d in parsed if (d.student_id, d.group_id) in new]
    await audit.record_many(
        session,
        tenant_id=tenant_id,
        entries=[
            audit.Entry(
                actor=e.actor,
                action="add",
                entity="roster_membership",
                entity_id=d.student_id,
                details={"group_id": str(d.group_id), "event_id": str(e.id)},
            )
            for e, d in done
        ],
    )
    await add_events(
        session,
        [
            _announcement(
                e,
                RosterChangedV1(
                    group_id=d.group_id, student_id=d.student_id, change="added", date=d.valid_from
                ),
            )
            for e, d in done
        ],
    )


async def on_students_expelled(*, session: AsyncSession, events: list[Envelope]) -> None:
    """End each expelled student's open membership; the row stays (past marks refer to it)."""
    for event in events:
        data = STUDENT_EXPELLED.parse(event.data)
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
        await add_events(
            session,
            [
                _announcement(
                    event,
                    RosterChangedV1(
                        group_id=data.group_id,
                        student_id=data.student_id,
                        change="ended",
                        date=data.valid_to,
                    ),
                )
            ],
        )


async def roster_on(
    *, session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, on: date, page: PageRequest
) -> tuple[list[RosterMembership], int]:
    return await repo.members_on(session, tenant_id, group_id, on, page)


async def roster_history(
    *, session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, page: PageRequest
) -> tuple[list[RosterMembership], int]:
    return await repo.group_history(session, tenant_id, group_id, page)


async def memberships_of(
    *, session: AsyncSession, tenant_id: uuid.UUID, student_id: uuid.UUID, page: PageRequest
) -> tuple[list[RosterMembership], int]:
    return await repo.student_memberships(session, tenant_id, student_id, page)
