"""Rosters as the journal sees them: fed by contingent's orders, read by teachers."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.contracts.events import (
    LEAVE_STARTED,
    ORDER_CANCELLED,
    ROSTER_CHANGED,
    STUDENT_ENROLLED,
    STUDENT_EXPELLED,
    STUDENT_GRADUATED,
    STUDENT_REINSTATED,
    STUDENT_RENAMED,
    STUDENT_TRANSFERRED,
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
    """A membership's end came before its beginning was applied: retry later."""


class OrderNotYetApplied(NotYet):
    """A cancellation came before the cancelled order's own events: retry later."""


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
                "order_id": d.order_id,
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
    """End each expelled (or graduated) student's open membership; the row stays (past
    marks refer to it)."""
    for event in events:
        data = STUDENT_EXPELLED.parse(event.data)
        await _end(session, event, data.group_id, data.student_id, data.valid_to, data.order_id)


async def on_students_graduated(*, session: AsyncSession, events: list[Envelope]) -> None:
    for event in events:
        data = STUDENT_GRADUATED.parse(event.data)
        await _end(session, event, data.group_id, data.student_id, data.valid_to, data.order_id)


async def on_students_moved(*, session: AsyncSession, events: list[Envelope]) -> None:
    """A transfer, promotion or retention: the old group's membership ends the day the
    new one begins."""
    for event in events:
        data = STUDENT_TRANSFERRED.parse(event.data)  # one shape for the three kinds
        await _end(
            session, event, data.from_group_id, data.student_id, data.valid_from, data.order_id
        )
        await _open(
            session,
            event,
            data.to_group_id,
            data.student_id,
            data.display_name,
            data.valid_from,
            data.order_id,
        )


async def on_leave_started(*, session: AsyncSession, events: list[Envelope]) -> None:
    """On academic leave the student is out of the group's journal from its start."""
    for event in events:
        data = LEAVE_STARTED.parse(event.data)
        await _end(session, event, data.group_id, data.student_id, data.valid_from, data.order_id)


async def on_students_returned(*, session: AsyncSession, events: list[Envelope]) -> None:
    """Back from academic leave, or reinstated: a new membership from that day."""
    for event in events:
        data = STUDENT_REINSTATED.parse(event.data)  # the same shape as leave_ended
        await _open(
            session,
            event,
            data.group_id,
            data.student_id,
            data.display_name,
            data.valid_from,
            data.order_id,
        )


async def on_students_renamed(*, session: AsyncSession, events: list[Envelope]) -> None:
    """A name corrected in the personal file: rosters show it, for every date (the
    latest correction wins whatever the arrival order)."""
    names: dict[uuid.UUID, str] = {}
    for event in sorted(events, key=lambda e: e.occurred_at):
        data = STUDENT_RENAMED.parse(event.data)
        names[data.student_id] = data.display_name
    await repo.rename(session, events[0].tenant_id, names)


async def on_orders_cancelled(*, session: AsyncSession, events: list[Envelope]) -> None:
    """Undo a cancelled order: memberships it opened become empty, those it ended reopen.
    Retried until every student of the order shows its effect here."""
    for event in events:
        data = ORDER_CANCELLED.parse(event.data)
        voided, reopened = await repo.undo_order(
            session, event.tenant_id, data.cancelled_order_id, data.order_id, event.id
        )
        touched = {row.student_id for row in (*voided, *reopened)}
        if not {s.student_id for s in data.students} <= touched:
            raise OrderNotYetApplied("the cancelled order's own events are not applied yet")
        changes = [(row, "ended") for row in voided] + [(row, "added") for row in reopened]
        await audit.record_many(
            session,
            tenant_id=event.tenant_id,
            entries=[
                audit.Entry(
                    actor=event.actor,
                    action="void" if change == "ended" else "reopen",
                    entity="roster_membership",
                    entity_id=row.student_id,
                    details={"group_id": str(row.group_id), "event_id": str(event.id)},
                )
                for row, change in changes
            ],
        )
        await add_events(
            session,
            [
                _announcement(
                    event,
                    RosterChangedV1(
                        group_id=row.group_id,
                        student_id=row.student_id,
                        change=change,
                        date=row.valid_from,
                    ),
                )
                for row, change in changes
            ],
        )


async def _end(
    session: AsyncSession,
    event: Envelope,
    group_id: uuid.UUID,
    student_id: uuid.UUID,
    on: date,
    order_id: uuid.UUID | None,
) -> None:
    ended = await repo.close_membership(
        session,
        tenant_id=event.tenant_id,
        group_id=group_id,
        student_id=student_id,
        valid_to=on,
        event_id=event.id,
        order_id=order_id,
    )
    if not ended:
        raise MembershipNotYetKnown("no open membership for the student yet")
    await _recorded(session, event, "end", group_id, student_id, on)


async def _open(
    session: AsyncSession,
    event: Envelope,
    group_id: uuid.UUID,
    student_id: uuid.UUID,
    display_name: str,
    on: date,
    order_id: uuid.UUID,
) -> None:
    added = await repo.open_memberships(
        session,
        event.tenant_id,
        [
            {
                "group_id": group_id,
                "student_id": student_id,
                "display_name": display_name,
                "valid_from": on,
                "source_event_id": event.id,
                "order_id": order_id,
            }
        ],
    )
    if added:
        await _recorded(session, event, "add", group_id, student_id, on)


async def _recorded(
    session: AsyncSession,
    event: Envelope,
    action: str,
    group_id: uuid.UUID,
    student_id: uuid.UUID,
    on: date,
) -> None:
    """A membership opened (`add`) or ended (`end`): audited and announced."""
    await audit.record(
        session,
        tenant_id=event.tenant_id,
        actor=event.actor,
        action=action,
        entity="roster_membership",
        entity_id=student_id,
        details={"group_id": str(group_id), "event_id": str(event.id)},
    )
    change: Literal["added", "ended"] = "added" if action == "add" else "ended"
    await add_events(
        session,
        [
            _announcement(
                event,
                RosterChangedV1(group_id=group_id, student_id=student_id, change=change, date=on),
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
