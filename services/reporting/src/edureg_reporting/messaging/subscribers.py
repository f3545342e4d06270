"""Thin subscribers: each translates an event into one projection update."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_reporting.contracts.events import GROUP_CREATED, STUDENT_ENROLLED, STUDENT_EXPELLED
from edureg_reporting.services import projections
from edureg_shared.events.envelope import Envelope
from edureg_shared.service import Runtime


async def group_created(session: AsyncSession, events: list[Envelope]) -> None:
    """Names the groups in the occupancy report."""
    await projections.on_groups_created(session=session, events=events)


async def student_enrolled(session: AsyncSession, events: list[Envelope]) -> None:
    """Counts the students into their groups and the movement report."""
    await projections.on_students_enrolled(session=session, events=events)


async def student_expelled(session: AsyncSession, events: list[Envelope]) -> None:
    """Counts the students out of their groups and into the movement report."""
    await projections.on_students_expelled(session=session, events=events)


HANDLERS = {
    GROUP_CREATED: group_created,
    STUDENT_ENROLLED: student_enrolled,
    STUDENT_EXPELLED: student_expelled,
}
CONSUMES = tuple(HANDLERS)


def register(runtime: Runtime) -> None:
    for event, handler in HANDLERS.items():
        runtime.consume(event, handler)
